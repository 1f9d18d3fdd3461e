import test from 'ava';
import type { FlowSweep } from '../../proto/pmtuSweep.js';
import { flowCoverage, flowCoverageWords } from '../../controller/pmtu/flowCoverage.js';
import { PMTU_FLOWS, flowRuleText, flowsFor } from '../../controller/pmtu/flowRule.js';
import { parseFlows } from '../../controller/pmtu/parseFlows.js';

const flow = (largestOkBytes: number | null, reachable = largestOkBytes !== null): FlowSweep => ({
  sourcePort: 40000, reachable, largestOkBytes, smallestFailBytes: largestOkBytes === null ? null : largestOkBytes + 1,
  failEvidence: { silent: 3, icmp: 0, local: 0, sendError: 0 }, complete: true, probesSent: 40, rounds: 6,
});

test('the flow count follows the stated rule: a path with 1/8 of the flows is missed with at most 5 % probability', (t) => {
  t.is(PMTU_FLOWS, 23);
  t.true(Math.pow(7 / 8, PMTU_FLOWS) <= 0.05);
  t.true(Math.pow(7 / 8, PMTU_FLOWS - 1) > 0.05, 'and no more flows than that');
  t.is(flowsFor(1 / 2, 0.05), 5);
  t.is(flowRuleText(23), '23 flows: a path carrying 1/8 of them is missed with probability (7/8)^23 = 4.6 %');
});

test('flows that found different path MTUs form classes, smallest first, with their shares', (t) => {
  const coverage = flowCoverage([flow(9000), flow(1500), flow(9000), flow(9000)])!;
  t.true(coverage.multipath);
  t.is(coverage.probed, 4);
  t.deepEqual(coverage.classes, [
    { pathMtuBytes: 1500, flows: 1, share: 0.25, representativeFlow: 1 },
    { pathMtuBytes: 9000, flows: 3, share: 0.75, representativeFlow: 0 },
  ], 'each class is represented by its first flow');
  t.deepEqual(coverage.sweeps?.map((f) => f.largestOkBytes), [9000, 1500, 9000, 9000], 'and every flow keeps its own result');
  t.is(flowCoverageWords(coverage, 'silently drops', false),
    '1 of 2 flow classes (25 % of 4 flows) silently drops above 1500; the other carries 9000 (75 %): the flows cross paths that differ (ECMP or LAG hashing), so that share of all connections black-holes while the others work; ');
  t.regex(flowCoverageWords(coverage, 'is limited by a router (frag-needed)', true), /must shrink their packets when the ICMP reaches them/);
});

test('flows that got no answer at all are a class of their own, before any size', (t) => {
  const coverage = flowCoverage([flow(9000), flow(null), flow(9000)])!;
  t.deepEqual(coverage.classes.map((c) => c.pathMtuBytes), [null, 9000]);
  t.regex(flowCoverageWords(coverage, 'gets no answer', false), /^1 of 2 flow classes \(33 % of 3 flows\) gets no answer at all; the other carries 9000 \(67 %\)/);
});

test('flows that agree are one class and add no words; a one-flow sweep has no coverage', (t) => {
  const same = flowCoverage([flow(9000), flow(9000)])!;
  t.false(same.multipath);
  t.is(flowCoverageWords(same, 'silently drops', false), '');
  t.is(flowCoverage(undefined), null);
  t.is(flowCoverage([]), null);
});

test('--flows takes auto (the rule) or a number from 1 to 64, and anything else is one usage line', (t) => {
  t.is(parseFlows('auto'), 23);
  t.is(parseFlows('1'), 1);
  t.is(parseFlows('64'), 64);
  for (const bad of ['0', '65', 'many', '2.5', '']) {
    t.throws(() => parseFlows(bad), { code: 'ERR_USAGE', message: /^--flows .* must be auto \(23 flows\) or a number of flows from 1 to 64$/ } as never, bad);
  }
});

test('given a judge, each class carries the verdict of its representative flow', (t) => {
  const judged: number[] = [];
  const coverage = flowCoverage([flow(9000), flow(1500), flow(1500)], (index) => {
    judged.push(index);
    return index === 1 ? 'silent-drop' : 'ok';
  })!;
  t.deepEqual(coverage.classes.map((c) => [c.pathMtuBytes, c.verdict]), [[1500, 'silent-drop'], [9000, 'ok']]);
  t.deepEqual(judged.sort(), [0, 1], 'one flow judged per class, not every flow');
});
