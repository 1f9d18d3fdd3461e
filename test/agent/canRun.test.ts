import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentFactsResponse, CanRunByKind } from '../../proto/agentFacts.js';
import { CommandNotFound } from '../../agent/exec.js';
import { iperfCanRun, iperfUnusableReason, requireIperf } from '../../agent/iperf/iperfVersion.js';
import { rawSocketCanRun } from '../../agent/probe/rawSocketCanRun.js';
import { PathprobeError } from '../../proto/errorCodes.js';

test('iperf3 missing and iperf3 broken are told apart in words', (t) => {
  t.is(iperfUnusableReason(new CommandNotFound('iperf3')), 'iperf3 is not installed (not found on PATH)');
  t.is(iperfUnusableReason(new Error('iperf3 --version printed no "iperf <version>" line (exit 1): Segmentation fault')),
    'iperf3 is not usable: iperf3 --version printed no "iperf <version>" line (exit 1): Segmentation fault');
});

test('a raw socket of either family makes path-MTU runnable; none says root or CAP_NET_RAW', (t) => {
  t.deepEqual(rawSocketCanRun(() => {}), { ok: true });
  t.deepEqual(rawSocketCanRun((family) => { if (family === 4) throw new Error('Address family not supported by protocol'); }), { ok: true });
  const refused = rawSocketCanRun(() => { throw new Error('Operation not permitted'); });
  t.deepEqual(refused, { ok: false, reason: 'no raw socket: path-MTU probes need root or CAP_NET_RAW (socket(SOCK_RAW): Operation not permitted)' });
});

test('as root (this test) a real raw socket opens', (t) => {
  t.deepEqual(rawSocketCanRun(), { ok: true });
});

test('canRun is optional in the facts (older agents) and exact when present', (t) => {
  const facts = { v: 1, hostname: 'h1', agentVersion: '0.1.0', contractVersions: [1], kernel: '6.1', cpuCount: 2, nics: [] };
  t.true(AgentFactsResponse.safeParse(facts).success);
  t.true(AgentFactsResponse.safeParse({ ...facts, canRun: { pmtu: { ok: true }, throughput: { ok: false, reason: 'iperf3 is not installed (not found on PATH)' } } }).success);
  t.false(CanRunByKind.safeParse({ pmtu: { ok: false }, throughput: { ok: true } }).success, 'a refusal needs its reason');
});

test('with iperf3 off PATH, throughput cannot run and its routes get ERR_PROBE_FAILED with the reason', async (t) => {
  // The agent finds tools through PATH: an empty directory stands for a host without iperf3.
  const empty = mkdtempSync(join(tmpdir(), 'pathprobe-nopath-'));
  const original = process.env.PATH;
  t.teardown(() => { process.env.PATH = original; rmSync(empty, { recursive: true, force: true }); });
  process.env.PATH = empty;
  t.deepEqual(await iperfCanRun(), { ok: false, reason: 'iperf3 is not installed (not found on PATH)' });
  const error = await t.throwsAsync(requireIperf());
  t.true(error instanceof PathprobeError);
  t.is((error as PathprobeError).code, 'ERR_PROBE_FAILED');
  t.is(error!.message, 'this agent cannot run throughput tests: iperf3 is not installed (not found on PATH)');
  t.deepEqual((error as PathprobeError).details, { test: 'throughput', canRun: { ok: false, reason: 'iperf3 is not installed (not found on PATH)' } });
  t.true(error!.cause instanceof CommandNotFound);
});
