import test from 'ava';
import type { NicFacts } from '../../proto/agentFacts.js';
import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import type { IperfProcessResult, IperfRunResult } from '../../proto/throughput.js';
import type { PathMtuEnd } from '../../controller/pmtu/measurePathMtu.js';
import { pmtuReport } from '../../controller/pmtu/pmtuReport.js';
import { planPairs } from '../../controller/schedule/planPairs.js';
import { throughputMatrix } from '../../controller/throughput/throughputMatrix.js';
import { checkExpectations, retransmitsPerGB } from '../../controller/aggregate/expectations.js';
import { rollUp } from '../../controller/aggregate/rollup.js';
import type { Pair } from '../../controller/model/pair.js';
import type { PairResult } from '../../controller/model/runReport.js';
import type { ThroughputMatrixRun } from '../../controller/model/throughputMatrix.js';

type PathCase = { kind: 'ok' } | { kind: 'silent'; mtu: number } | { kind: 'unreachable' };
const nic = (address: string): NicFacts =>
  ({ name: 'ens1f0', mtuBytes: 9000, addresses: [`${address}/24`], macAddress: null, speedMbps: 25_000, driver: 'mlx5_core', operState: 'up' });
const end = (agent: string, address: string): PathMtuEnd => ({ name: agent, url: null, address, facts: null, nic: nic(address) });
function sweep(from: string, to: string, path: PathCase): PmtuSweepResult {
  const largest = path.kind === 'ok' ? 9000 : path.kind === 'silent' ? path.mtu : null;
  return {
    v: 1, mode: 'peer', family: 4, sourceAddress: from, targetAddress: to, device: 'ens1f0', deviceMtuBytes: 9000,
    reachable: largest !== null, largestOkBytes: largest, smallestFailBytes: largest === null ? null : largest + 1,
    failEvidence: { silent: path.kind === 'silent' ? 3 : 0, icmp: 0, local: path.kind === 'ok' ? 1 : 0, sendError: 0 },
    complete: true, icmpHints: [], probes: [], probesSent: 14, rounds: 3, timeoutMs: 250, lossEstimate: 0, elapsedMs: 620,
  };
}
function measured(pair: Pair, forward: PathCase, reverse: PathCase): PairResult {
  const pmtu = pmtuReport({
    mode: 'peer', from: end(pair.a.agent, pair.a.address), to: end(pair.b.agent, pair.b.address),
    forward: { ok: true, sweep: sweep(pair.a.address, pair.b.address, forward) },
    reverse: { ok: true, sweep: sweep(pair.b.address, pair.a.address, reverse) },
  });
  return { pair, pmtu, pmtuError: null, cells: [], throughput: null };
}
const OK: PathCase = { kind: 'ok' };
const S1500: PathCase = { kind: 'silent', mtu: 1500 };
const hosts = Array.from({ length: 7 }, (_, k) => `h${k + 1}`);
const pairs = planPairs(new Map(hosts.map((h, k) => [h, [`198.18.12.${k + 1}`]])), hosts);
const rack12 = () => pairs.map((p) => (p.b.agent === 'h7' ? measured(p, S1500, S1500) : measured(p, OK, OK)));

const G = 1e9;
/** One iperf3 process over 5 s: bytes = rate × 5 s / 8. */
function proc(gbps: number, retransmits: number | null, o: Partial<IperfProcessResult> = {}): IperfProcessResult {
  return {
    port: 5201, streams: 4, failure: null, bytesSent: gbps * G * 5 / 8, bytesReceived: gbps * G * 5 / 8,
    bitsPerSecondReceived: gbps * G, retransmits, senderCpuPercent: 30, receiverCpuPercent: 40,
    intervalBitsPerSecond: [gbps * G, gbps * G, gbps * G], congestionControl: 'cubic', timedOut: false, ...o,
  };
}
const run = (p: IperfProcessResult): IperfRunResult => ({ v: 1, iperfVersion: '3.12', processes: [p], mssBytesObserved: null, maxCorePercent: 40, elapsedMs: 6000 });

/** Both directions, 1500 and jumbo rows at P4: forward reaches the link, reverse does not. */
function withThroughput(result: PairResult, linkSpeedMbps: number | null, retransmitsReverseJumbo = 40): PairResult {
  const cell = (direction: 'forward' | 'reverse', row: '1500' | 'jumbo', gbps: number, retransmits: number | null): ThroughputMatrixRun =>
    ({ direction, row, streams: 4, repeat: 1, result: run(proc(gbps, retransmits)) });
  const runs = [
    cell('forward', '1500', 23.1, 12), cell('forward', 'jumbo', 24.6, 3),
    cell('reverse', '1500', 20.0, 90), cell('reverse', 'jumbo', 21.0, retransmitsReverseJumbo),
  ];
  const ctx = { senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtu: { verdict: 'ok' as const, pathMtu: 9000 } };
  return { ...result, throughput: throughputMatrix(runs, { family: 4, linkSpeedMbps, directions: { forward: ctx, reverse: ctx } }) };
}

test('pathMtu 9000 on rack 12: the 12 directions through tor-2 fail, named', (t) => {
  const [check] = checkExpectations({ pathMtu: 9000 }, rack12());
  t.like(check, { name: 'pathMtu', expected: '9000', passed: 30, failed: 12, pass: false, notEvaluated: 0 });
  t.is(check!.failures.length, 12);
  t.is(check!.failures[0], 'h1 (198.18.12.1) → h7 (198.18.12.7): path MTU 1500 (silent-drop), expected 9000');
  t.true(check!.failures.includes('h7 (198.18.12.7) → h1 (198.18.12.1): path MTU 1500 (silent-drop), expected 9000'));
});

test('pathMtu: unreachable and unmeasured directions are failures', (t) => {
  const results = pairs.slice(0, 3).map((p) => measured(p, OK, OK));
  results[1] = measured(pairs[1]!, { kind: 'unreachable' }, OK);
  results[2] = { ...results[2]!, pmtu: null, pmtuError: { code: 'ERR_AGENT_UNREACHABLE', message: 'h4: connect ECONNREFUSED' } };
  const [check] = checkExpectations({ pathMtu: 9000 }, results);
  t.like(check, { passed: 3, failed: 3, pass: false });
  t.deepEqual(check!.failures, [
    'h1 (198.18.12.1) → h3 (198.18.12.3): unreachable',
    'h1 (198.18.12.1) → h4 (198.18.12.4): not measured (ERR_AGENT_UNREACHABLE: h4: connect ECONNREFUSED)',
    'h4 (198.18.12.4) → h1 (198.18.12.1): not measured (ERR_AGENT_UNREACHABLE: h4: connect ECONNREFUSED)',
  ]);
  const [allGood] = checkExpectations({ pathMtu: 9000 }, [measured(pairs[0]!, OK, OK)]);
  t.like(allGood, { passed: 2, failed: 0, pass: true, failures: [] });
});

test('only the expectations the plan sets are checked', (t) => {
  t.deepEqual(checkExpectations({}, rack12()), []);
  t.deepEqual(checkExpectations({ maxRetransmitsPerGB: 10, pathMtu: 9000 }, rack12()).map((c) => c.name), ['pathMtu', 'maxRetransmitsPerGB']);
});

test('minLinkEfficiency: the best cell of each direction against the link speed', (t) => {
  const results = [withThroughput(measured(pairs[0]!, OK, OK), 25_000)];
  const [check] = checkExpectations({ minLinkEfficiency: 0.9 }, results);
  t.like(check, { name: 'minLinkEfficiency', expected: '≥ 0.9', passed: 1, failed: 1, notEvaluated: 0, pass: false });
  t.deepEqual(check!.failures, ['h2 (198.18.12.2) → h1 (198.18.12.1): best cell reached 84.0 % of 25000 Mbit/s, expected at least 90.0 %']);
  const [lenient] = checkExpectations({ minLinkEfficiency: 0.8 }, results);
  t.like(lenient, { passed: 2, failed: 0, pass: true });
});

test('minLinkEfficiency: unknown link speed is not evaluated, and not a pass', (t) => {
  const results = [withThroughput(measured(pairs[0]!, OK, OK), null)];
  const [check] = checkExpectations({ minLinkEfficiency: 0.5 }, results);
  t.like(check, { passed: 0, failed: 0, notEvaluated: 2, pass: false });
  t.deepEqual(check!.notes, [
    'h1 (198.18.12.1) → h2 (198.18.12.2): link speed unknown, efficiency not evaluated',
    'h2 (198.18.12.2) → h1 (198.18.12.1): link speed unknown, efficiency not evaluated',
  ]);
  const [nothing] = checkExpectations({ minLinkEfficiency: 0.5 }, [measured(pairs[0]!, OK, OK)]);
  t.like(nothing, { passed: 0, failed: 0, notEvaluated: 0, pass: false });
  t.deepEqual(nothing!.notes, ['nothing was measured that this expectation applies to']);
});

test('maxRetransmitsPerGB: retransmits / (bytes sent / 10^9), per cell', (t) => {
  const result = withThroughput(measured(pairs[0]!, OK, OK), 25_000, 5000);
  const reverseJumbo = result.throughput!.directions[1]!.rows[1]!.cells[0]!;
  t.is(retransmitsPerGB(reverseJumbo), 5000 / (21 * G * 5 / 8 / 1e9), '5000 retransmits over 13.125 GB');
  const [check] = checkExpectations({ maxRetransmitsPerGB: 100 }, [result]);
  t.like(check, { name: 'maxRetransmitsPerGB', expected: '≤ 100 retransmits/GB', passed: 3, failed: 1, pass: false });
  t.deepEqual(check!.failures, ['h2 (198.18.12.2) → h1 (198.18.12.1) jumbo 9000 P4: 381 retransmits/GB, expected at most 100']);
});

test('maxRetransmitsPerGB: a cell without retransmit counts is not evaluated', (t) => {
  const result = withThroughput(measured(pairs[0]!, OK, OK), 25_000, null as unknown as number);
  const [check] = checkExpectations({ maxRetransmitsPerGB: 100 }, [result]);
  t.like(check, { passed: 3, failed: 0, notEvaluated: 1, pass: false });
  t.deepEqual(check!.notes, ['h2 (198.18.12.2) → h1 (198.18.12.1) jumbo 9000 P4: no retransmit or byte counts reported']);
});

test('the roll-up counts jumbo verdicts too', (t) => {
  const result = withThroughput(measured(pairs[0]!, OK, OK), 25_000);
  const r = rollUp([result], [{ name: 'h1', url: '', addresses: 'all', labels: {} }, { name: 'h2', url: '', addresses: 'all', labels: {} }]);
  t.is(r.total.jumbo['jumbo-gain'], 2);
  t.deepEqual(r.pairs[0]!.jumbo, { forward: 'jumbo-gain', reverse: 'jumbo-gain' });
});
