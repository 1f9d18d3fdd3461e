import test from 'ava';
import type { NicFacts } from '../../proto/agentFacts.js';
import type { PmtuSweepResult, ProbeRecord } from '../../proto/pmtuSweep.js';
import { pmtuInconclusive } from '../../controller/pmtu/pmtuInconclusive.js';
import { pmtuReport } from '../../controller/pmtu/pmtuReport.js';
import type { PathMtuEnd } from '../../controller/pmtu/measurePathMtu.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

const silentHandshake = { attempts: 7, probesSent: 14, answered: 0, elapsedMs: 11_300 };

function probe(sizeBytes: number, outcome: ProbeRecord['outcome']): ProbeRecord {
  return { sizeBytes, round: 0, sentAtMs: 0, outcome, rttMs: outcome === 'passed' ? 0.3 : null, receivedBytes: null, icmp: null, error: null };
}

function sweep(overrides: Partial<PmtuSweepResult>): PmtuSweepResult {
  return {
    v: 1, mode: 'peer', family: 4, sourceAddress: '198.18.1.1', targetAddress: '198.18.1.2', device: 'eth0',
    deviceMtuBytes: 9000, reachable: true, largestOkBytes: 9000, smallestFailBytes: 9001,
    failEvidence: { silent: 0, icmp: 0, local: 1, sendError: 0 }, complete: true, icmpHints: [], probes: [],
    probesSent: 20, rounds: 2, timeoutMs: 50, lossEstimate: 0, elapsedMs: 12,
    handshake: { attempts: 1, probesSent: 2, answered: 2, elapsedMs: 1, hostAnsweredEcho: null }, stopReason: 'proved', ...overrides,
  };
}

const unreachable = (hostAnsweredEcho: boolean | null, neighbourEntry: boolean | null = true) => sweep({
  reachable: false, largestOkBytes: null, smallestFailBytes: null, complete: false, stopReason: 'unreachable',
  failEvidence: { silent: 0, icmp: 0, local: 0, sendError: 0 }, probes: new Array(14).fill(probe(68, 'silent')), probesSent: 14,
  handshake: { ...silentHandshake, hostAnsweredEcho, neighbourEntry }, elapsedMs: 12_300,
});

test('a proved sweep is not inconclusive', (t) => {
  t.is(pmtuInconclusive(sweep({})), null);
});

test('an unanswered handshake whose host answers echo is inconclusive: peer too slow, with the evidence', (t) => {
  const i = pmtuInconclusive(unreachable(true));
  t.is(i?.reason, 'peer too slow');
  t.regex(i!.detail, /never answered the keyed handshake, although the host answers ICMP echo/);
  t.like(i, { handshakeAttempts: 7, handshakeProbes: 14, handshakeAnswered: 0, probesAnswered: 0, probesSent: 14, hostAnsweredEcho: true, neighbourEntry: true, elapsedMs: 12_300 });
});

test("an unanswered handshake while the sender's kernel refused a neighbour entry is inconclusive: neighbour table full, whatever the echo said", (t) => {
  for (const echo of [false, null, true]) {
    const i = pmtuInconclusive(unreachable(echo, false));
    t.is(i?.reason, 'neighbour table full');
    t.regex(i!.detail, /refused to create a neighbour \(ARP \/ ND\) entry toward 198\.18\.1\.2/);
  }
});

test('an unanswered handshake with a neighbour entry and no echo (or neither asked) stays a network verdict', (t) => {
  t.is(pmtuInconclusive(unreachable(false)), null);
  t.is(pmtuInconclusive(unreachable(null)), null);
  t.is(pmtuInconclusive(unreachable(null, null)), null);
});

test('a peer that answered the handshake and then went silent is inconclusive, never a smaller MTU', (t) => {
  const wentSilent = sweep({
    largestOkBytes: 1500, smallestFailBytes: 9000, complete: false, stopReason: 'path-went-silent',
    probes: [probe(68, 'passed'), probe(68, 'passed'), probe(1500, 'passed'), probe(9000, 'silent')], probesSent: 4,
  });
  const i = pmtuInconclusive(wentSilent);
  t.is(i?.reason, 'peer too slow');
  t.regex(i!.detail, /answered the handshake, then stopped answering/);
  t.is(i?.probesAnswered, 3);
});

test('a sweep from an agent without handshake evidence keeps its verdict', (t) => {
  const { handshake: _h, stopReason: _s, ...old } = unreachable(true);
  t.is(pmtuInconclusive(old), null);
});

test('echo mode (no responder to be slow) is never inconclusive', (t) => {
  t.is(pmtuInconclusive({ ...unreachable(true), mode: 'echo' }), null);
});

function nic(): NicFacts {
  return { name: 'eth0', mtuBytes: 9000, addresses: [], macAddress: null, speedMbps: 10000, driver: 'veth', operState: 'up' };
}
const end = (name: string, address: string): PathMtuEnd => ({ name, url: `http://${name}`, address, facts: null, nic: nic() });

test("in the report an inconclusive direction could not be measured (error, exit 3), its evidence kept, the other direction's verdict untouched", (t) => {
  const report = pmtuReport({
    mode: 'peer', from: end('h1', '198.18.1.1'), to: end('h2', '198.18.1.2'),
    forward: { ok: true, sweep: unreachable(true) }, reverse: { ok: true, sweep: sweep({}) },
  });
  t.is(report.forward.verdict, 'error');
  if (report.forward.verdict !== 'error') return;
  t.is(report.forward.error.code, 'ERR_PROBE_FAILED');
  t.regex(report.forward.error.message, /^h1 → h2: inconclusive: peer too slow: .*handshake 0\/14 answered in 7 attempts/);
  t.is(report.forward.inconclusive?.hostAnsweredEcho, true);
  t.is(report.reverse?.verdict, 'ok');
  t.is(report.exitCode, 3);
  assertMatchesContract(t, 'pathprobe.pmtu/v1', report);
});
