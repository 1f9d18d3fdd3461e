import test from 'ava';
import { diffFlowClasses, FLOW_SHARE_TOLERANCE } from '../../controller/pmtu/diffFlowClasses.js';
import { diffRuns } from '../../controller/diff/diffRuns.js';
import { renderDiffTable } from '../../controller/diff/diffTable.js';
import { RUN_DIFF_V1 } from '../../controller/contracts/runDiffV1.js';
import type { FlowCoverage } from '../../controller/model/pmtuReport.js';
import type { RunReport } from '../../controller/model/runReport.js';
import { changesSection } from '../../controller/report/html/changesSection.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';
import { flowsAt, multiFlowReport, type FlowPlan } from '../helpers/multiFlowSweep.js';

const coverage = (...flows: FlowPlan[][]): FlowCoverage => {
  const d = multiFlowReport(flows.flat()).forward;
  if (d.verdict === 'error' || !d.flows) throw new Error('no flows');
  return d.flows;
};
const common = { pairId: 'p', direction: 'forward' as const, category: 'path-mtu' as const, before: 1500, after: 1500 };

test('a failing class that takes a larger share is a regression even when the safe path MTU stays the same', (t) => {
  const change = diffFlowClasses(coverage(flowsAt(1, 1500), flowsAt(3, 9000)), coverage(flowsAt(2, 1500), flowsAt(2, 9000)), common)!;
  t.is(change.kind, 'path-mtu');
  t.is(change.subject, 'flow classes');
  t.true(change.significant);
  t.true(change.regression);
  t.regex(change.explanation, /^flow classes 1500 on 25 %, 9000 on 75 % → 1500 on 50 %, 9000 on 50 %: more flows are capped \(25 % → 50 % of flows below 9000\)/);
  t.deepEqual(change.flowClasses?.after, [{ pathMtuBytes: 1500, flows: 2, share: 0.5 }, { pathMtuBytes: 9000, flows: 2, share: 0.5 }]);
  t.is(change.flowClasses?.largestShareChange, 0.25);
});

test('a new smaller class is a regression at any share, and it names the new path', (t) => {
  const change = diffFlowClasses(coverage(flowsAt(23, 9000)), coverage(flowsAt(11, 1500), flowsAt(12, 9000)), { ...common, before: 9000 })!;
  t.true(change.significant && change.regression);
  t.deepEqual(change.flowClasses?.appeared, [1500]);
  t.regex(change.explanation, /9000 on 100 % → 1500 on 48 %, 9000 on 52 %: .*a path not seen before carries 1500/);
  const small = diffFlowClasses(coverage(flowsAt(6, 1500), flowsAt(17, 9000)), coverage(flowsAt(6, 1500), flowsAt(1, 4470), flowsAt(16, 9000)), common)!;
  t.true(small.regression, 'one flow of 23 on a new 4470 path, the 1500 share unchanged');
});

test('a smaller class that disappears, or is replaced by a larger one, is a significant improvement', (t) => {
  const gone = diffFlowClasses(coverage(flowsAt(6, 1500), flowsAt(17, 9000)), coverage(flowsAt(23, 9000)), { ...common, after: 9000 })!;
  t.true(gone.significant);
  t.false(gone.regression);
  t.deepEqual(gone.flowClasses?.disappeared, [1500]);
  t.regex(gone.explanation, /gone: 1500$/);
  const raised = diffFlowClasses(coverage(flowsAt(6, 1500), flowsAt(17, 9000)), coverage(flowsAt(6, 4470), flowsAt(17, 9000)), { ...common, after: 4470 })!;
  t.true(raised.significant);
  t.false(raised.regression, 'the capped flows now carry more');
});

test('a share wobble over the same class MTUs is shown as noise, never significant', (t) => {
  t.is(FLOW_SHARE_TOLERANCE, 0.25);
  const change = diffFlowClasses(coverage(flowsAt(6, 1500), flowsAt(17, 9000)), coverage(flowsAt(10, 1500), flowsAt(13, 9000)), common)!;
  t.false(change.significant);
  t.false(change.regression);
  t.regex(change.explanation, /within noise/);
  const beyond = diffFlowClasses(coverage(flowsAt(6, 1500), flowsAt(17, 9000)), coverage(flowsAt(12, 1500), flowsAt(11, 9000)), common)!;
  t.true(beyond.significant && beyond.regression, '6 of 23 flows more on the capped path is beyond it');
});

test('the same split, or a one-flow sweep on either side, is no flow-class change', (t) => {
  t.is(diffFlowClasses(coverage(flowsAt(6, 1500), flowsAt(17, 9000)), coverage(flowsAt(17, 9000), flowsAt(6, 1500)), common), null);
  t.is(diffFlowClasses(null, coverage(flowsAt(6, 1500), flowsAt(17, 9000)), common), null);
  t.is(diffFlowClasses(coverage(flowsAt(4, 9000)), undefined, common), null);
});

function withFlows(runId: string, forward: FlowPlan[]): RunReport {
  const report = rackRun();
  report.runId = runId;
  const pair = report.pairs.find((p) => p.pair.a.agent === 'h1' && p.pair.b.agent === 'h2')!;
  pair.pmtu = multiFlowReport(forward, flowsAt(4, 9000));
  pair.throughput = null;
  pair.cells = [];
  return report;
}

test('diff, its table and its JSON show a flow-class change with the same path MTU as a regression', (t) => {
  const diff = diffRuns(withFlows('r-base', [...flowsAt(1, 1500), ...flowsAt(3, 9000)]), withFlows('r-next', [...flowsAt(2, 1500), ...flowsAt(2, 9000)]));
  const changes = diff.changes.filter((c) => c.subject === 'flow classes');
  t.is(changes.length, 1, 'only the forward direction split differently');
  t.is(changes[0]!.before, 1500, 'before and after are the safe path MTU, in bytes');
  t.is(changes[0]!.after, 1500);
  t.false(diff.changes.some((c) => c.kind === 'path-mtu' && c.subject === null), 'the path MTU itself did not move');
  t.true(diff.regressed);
  const table = renderDiffTable(diff);
  t.regex(table, /flow classes\s+1500 on 25 %, 9000 on 75 %\s+1500 on 50 %, 9000 on 50 %\s+worse\s+REGRESSION/);
  t.regex(table, /↳ flow classes 1500 on 25 %, 9000 on 75 % → 1500 on 50 %, 9000 on 50 %: more flows are capped/);
  assertMatchesContract(t, RUN_DIFF_V1, JSON.parse(JSON.stringify(diff)));
});

test("the HTML report's changes section shows both sides' flow classes", (t) => {
  const next = withFlows('r-next', [...flowsAt(2, 1500), ...flowsAt(2, 9000)]);
  const diff = diffRuns(withFlows('r-base', [...flowsAt(1, 1500), ...flowsAt(3, 9000)]), next);
  const markup = changesSection({ ...next, comparison: { ...diff, baselineRunId: 'r-base', against: 'baseline' } }).markup;
  const row = markup.split('<tr').find((r) => r.includes('flow classes'))!;
  t.regex(row, /data-kind="path-mtu"/);
  t.regex(row, /<td class="num">1500 on 25 %, 9000 on 75 %<\/td><td class="num">1500 on 50 %, 9000 on 50 %<\/td><td>changed<\/td><td><span class="badge fail">✕ REGRESSION/);
});
