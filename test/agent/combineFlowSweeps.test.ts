import test from 'ava';
import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import { combineFlowSweeps } from '../../agent/probe/combineFlowSweeps.js';

function sweep(largestOkBytes: number | null, sourcePort: number, o: Partial<PmtuSweepResult> = {}): PmtuSweepResult {
  return {
    v: 1, mode: 'peer', family: 4, sourceAddress: '198.18.1.1', targetAddress: '198.18.2.2', device: 'eth0', deviceMtuBytes: 9000,
    reachable: largestOkBytes !== null, largestOkBytes, smallestFailBytes: largestOkBytes === null || largestOkBytes === 9000 ? null : largestOkBytes + 1,
    failEvidence: { silent: largestOkBytes === 9000 ? 0 : 3, icmp: 0, local: 0, sendError: 0 }, complete: true,
    icmpHints: [], probes: [{ sizeBytes: 9000, round: 1, sentAtMs: 1, outcome: largestOkBytes === 9000 ? 'passed' : 'silent', rttMs: null, receivedBytes: null, icmp: null, error: null }],
    probesSent: 1, rounds: largestOkBytes === 9000 ? 1 : 7, timeoutMs: 50, lossEstimate: 0, elapsedMs: 100, sourcePort, ...o,
  };
}

test('a direction over many flows reports the smallest flow\'s facts on top, and every flow underneath', (t) => {
  const combined = combineFlowSweeps([sweep(9000, 40001), sweep(1500, 40002), sweep(9000, 40003)], 250);
  t.is(combined.largestOkBytes, 1500, 'the size safe for any connection');
  t.is(combined.smallestFailBytes, 1501);
  t.deepEqual(combined.flows?.map((f) => [f.sourcePort, f.largestOkBytes]), [[40001, 9000], [40002, 1500], [40003, 9000]]);
  t.deepEqual(combined.probes.map((p) => p.flow), [0, 1, 2], 'every probe names its flow');
  t.is(combined.probesSent, 3);
  t.is(combined.rounds, 7);
  t.is(combined.elapsedMs, 250);
  t.is(combined.sourcePort, null);
});

test('a flow that got no answer at all decides the top-level result, so no size is claimed for it', (t) => {
  const combined = combineFlowSweeps([sweep(9000, 40001), sweep(null, 40002)], 10);
  t.false(combined.reachable);
  t.is(combined.largestOkBytes, null);
  t.is(combined.flows?.length, 2);
});

test('one incomplete flow makes the direction incomplete, and ICMP hints of every flow are kept once', (t) => {
  const hint = { from: '198.18.5.251', mtuBytes: 1500, probeBytes: 9000 };
  const combined = combineFlowSweeps([
    sweep(1500, 1, { icmpHints: [hint] }), sweep(1500, 2, { icmpHints: [hint], complete: false }), sweep(9000, 3),
  ], 10);
  t.false(combined.complete);
  t.deepEqual(combined.icmpHints, [hint]);
  t.throws(() => combineFlowSweeps([], 0), { instanceOf: RangeError });
});
