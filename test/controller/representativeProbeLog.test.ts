import test from 'ava';
import { representativeProbeLog } from '../../controller/pmtu/representativeProbeLog.js';
import type { DirectionReport } from '../../controller/model/pmtuReport.js';
import { PMTU_REPORT_V1 } from '../../controller/contracts/pmtuReportV1.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';
import { flowsAt, multiFlowReport, multiFlowSweep } from '../helpers/multiFlowSweep.js';

type Measured = Extract<DirectionReport, { error: null }>;
const measured = (d: DirectionReport | null): Measured => {
  if (!d || d.verdict === 'error') throw new Error('not measured');
  return d;
};

// 23 flows, 11 of them capped silently at 1500: the first capped flow is flow 12.
const SPLIT = [...flowsAt(12, 9000), ...flowsAt(11, 1500)];

test("a multi-flow report keeps the probes of one representative flow per class, the worst class's first, and counts the rest", (t) => {
  const sweep = multiFlowSweep(SPLIT);
  const d = measured(multiFlowReport(SPLIT).forward);
  const flowsInLog = [...new Set(d.probeLog.map((p) => p.flow))];
  t.deepEqual(flowsInLog, [12, 0], 'the 1500 class (flow 12) first, then the 9000 class (flow 0)');
  t.deepEqual(d.probeLog, [...sweep.probes.filter((p) => p.flow === 12), ...sweep.probes.filter((p) => p.flow === 0)], 'each kept flow whole, in its order');
  t.is(d.probeLogOmitted, sweep.probes.length - d.probeLog.length);
  t.is(d.probeLogOmitted, 21 * 5, 'the other 21 flows, 5 probes each');
  t.is(d.probes, sweep.probesSent, 'the direction still counts every probe sent');
});

test("no measured result is lost: every flow's own result stays in flows.sweeps", (t) => {
  const sweep = multiFlowSweep(SPLIT);
  const d = measured(multiFlowReport(SPLIT).forward);
  t.deepEqual(d.flows?.sweeps, sweep.flows);
  t.deepEqual(d.flows?.sweeps?.map((f) => f.largestOkBytes), SPLIT.map((f) => f.pathMtu));
  t.true(d.flows!.sweeps!.every((f) => f.probesSent === 5 && f.smallestFailBytes === f.largestOkBytes! + 1));
});

test('flows that all agree keep one flow of probes', (t) => {
  const d = measured(multiFlowReport(flowsAt(23, 9000)).forward);
  t.deepEqual([...new Set(d.probeLog.map((p) => p.flow))], [0]);
  t.is(d.probeLogOmitted, 22 * 5);
});

test('a one-flow sweep keeps every probe and omits none', (t) => {
  const probes = multiFlowSweep(flowsAt(3, 9000)).probes.map(({ flow: _flow, ...p }) => p);
  t.deepEqual(representativeProbeLog(probes, null), { probeLog: probes, probeLogOmitted: 0 });
});

test('a trimmed multi-flow report still matches the published pmtu contract', (t) => {
  const report = JSON.parse(JSON.stringify(multiFlowReport(SPLIT, [...flowsAt(1, null), ...flowsAt(4, 4470, 'icmp'), ...flowsAt(18, 9000)])));
  assertMatchesContract(t, PMTU_REPORT_V1, report);
});
