import test from 'ava';
import { PathprobeError } from '../../proto/errorCodes.js';
import { onlyThrough, pairsInScope, parseLabelSelector, reportInScope } from '../../controller/plan/onlyThrough.js';
import { diffRuns } from '../../controller/diff/diffRuns.js';
import { renderRunHtml } from '../../controller/report/html/renderRunHtml.js';
import { runSummary } from '../../controller/report/runSummary.js';
import { rackRun, rackRunResults } from '../fixtures/runs/rackRun.js';
import { aggregateRun } from '../../controller/aggregate/aggregateRun.js';
import type { RunReport } from '../../controller/model/runReport.js';
import type { ComparedRunReport } from '../../controller/diff/runComparison.js';

// rack12: h1..h6 on switch=tor-1, h7 on switch=tor-2; 21 pairs, 6 of them with h7.
const report = rackRun();
const pairs = report.pairs.map((p) => p.pair);
const agents = report.plan.agents;
const withH7 = (id: string) => id.split('~').some((end) => end.startsWith('h7/'));

function usageError(t: import('ava').ExecutionContext, fn: () => unknown, pattern: RegExp): void {
  const error = t.throws(fn) as PathprobeError;
  t.true(error instanceof PathprobeError);
  t.is(error.code, 'ERR_USAGE');
  t.regex(error.message, pattern);
  t.false(error.message.includes('\n'), 'one line');
}

test('only the pairs with exactly one end carrying the label value, in their order', (t) => {
  const crossing = onlyThrough(pairs, agents, 'switch=tor-2');
  t.is(crossing.length, 6);
  t.true(crossing.every((p) => withH7(p.id)));
  t.deepEqual(crossing.map((p) => p.id), pairs.filter((p) => withH7(p.id)).map((p) => p.id));
  // The other side of the same uplink is crossed by the same pairs; pairs inside tor-1 cross nothing.
  t.deepEqual(onlyThrough(pairs, agents, 'switch=tor-1'), crossing);
  t.deepEqual(onlyThrough(pairs, agents, { key: 'switch', value: 'tor-2' }), crossing);
  // A label only h3 has: its 6 pairs.
  t.deepEqual(onlyThrough(pairs, agents, 'note=PSU B <b>&" replaced').map((p) => p.id), pairs.filter((p) => p.id.split('~').some((e) => e.startsWith('h3/'))).map((p) => p.id));
});

test('an unknown label or value, one every agent has, or no LABEL=VALUE is a one-line usage error', (t) => {
  usageError(t, () => onlyThrough(pairs, agents, 'switch=tor-b12'), /--only-through switch=tor-b12: no agent of the plan has it \(the plan has switch=tor-1, switch=tor-2\)/);
  usageError(t, () => onlyThrough(pairs, agents, 'row=b'), /no agent of the plan has a label "row" \(its labels: rack, switch, note\)/);
  usageError(t, () => onlyThrough(pairs, agents, 'rack=rack12'), /every agent of the plan has it, so no pair crosses it/);
  usageError(t, () => parseLabelSelector('tor-b12'), /give one LABEL=VALUE/);
  usageError(t, () => parseLabelSelector('switch='), /give one LABEL=VALUE/);
  t.deepEqual(parseLabelSelector('switch=tor=b12'), { key: 'switch', value: 'tor=b12' });
});

test('without a filter a plan keeps every pair', (t) => {
  t.deepEqual(pairsInScope(report.plan, pairs), pairs);
  t.is(pairsInScope({ ...report.plan, onlyThrough: { key: 'switch', value: 'tor-2' } }, pairs).length, 6);
});

/** The rack run again, restricted to the pairs crossing tor-2, as `run --only-through switch=tor-2` reports it. */
function restrictedRun(): RunReport {
  const { plan, results, finishedAtMs } = rackRunResults();
  return aggregateRun({
    runId: 'r20250613-083000-0002', plan: { ...plan, onlyThrough: { key: 'switch', value: 'tor-2' } }, results,
    status: 'done', startedAtMs: Date.parse(rackRun().startedAt), finishedAtMs,
  });
}

test('a restricted run is compared on its pairs only: the rest of the baseline never shows as removed', (t) => {
  const base = rackRun();
  const next = restrictedRun();
  const naive = diffRuns(base, next);
  t.is(naive.summary.pairsRemoved, 15, 'what an unscoped diff would claim');

  const diff = diffRuns(reportInScope(base, next.plan), next);
  t.is(diff.summary.pairsCompared, 6);
  t.is(diff.summary.pairsRemoved, 0);
  t.is(diff.summary.pairsAdded, 0);
  t.false(diff.regressed);
  t.deepEqual(diff.pairs.map((p) => p.pairId), next.pairs.map((p) => p.pair.id));
  t.is(reportInScope(base, base.plan), base, 'no filter: the base as it is');
});

test('in scope, a change on a crossing pair still counts, and the HTML shows it escaped', (t) => {
  const base = rackRun();
  const next = restrictedRun();
  const first = next.pairs[0]!;
  const forward = first.pmtu!.forward!;
  next.pairs[0] = { ...first, pmtu: { ...first.pmtu!, forward: { ...forward, pathMtu: 1400 } as typeof forward } };
  // An environment change with markup in it, to prove the section escapes it.
  const h7 = next.facts.h7!;
  if (!('error' in h7)) next.facts.h7 = { ...h7, nics: h7.nics.map((n) => (n.name === 'ens1f0' ? { ...n, driver: '<img src=x onerror=alert(1)>' } : n)) };

  const diff = diffRuns(reportInScope(base, next.plan), next);
  t.true(diff.regressed);
  t.deepEqual(diff.changes.filter((c) => c.regression).map((c) => [c.pairId, c.direction, c.kind, c.before, c.after]), [[first.pair.id, 'forward', 'path-mtu', 1500, 1400]]);
  t.deepEqual(diff.environment.map((e) => [e.host, e.kind]), [['h7', 'nic-driver']]);

  const withComparison: ComparedRunReport = { ...next, comparison: { ...diff, baselineRunId: base.runId, against: 'baseline' }, exitCode: 1 };
  const page = renderRunHtml(withComparison);
  t.regex(page, /<section id="changes" data-testid="changes"/);
  t.regex(page, /<a href="#changes">Changes<\/a>/);
  t.false(page.includes('<img src=x'));
  t.true(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  t.regex(page, /data-kind="path-mtu" data-category="path-mtu" data-regression="true"/);
  t.regex(page, /only the pairs crossing switch=tor-2/);
  t.regex(runSummary(withComparison), /compared with baseline \S+: REGRESSED \(1 regression\), 1 of 6 pairs changed/);

  t.false(renderRunHtml(rackRun()).includes('data-testid="changes"'), 'no section without --compare');
  t.regex(renderRunHtml({ ...next, comparison: null }), /data-testid="changes"[\s\S]*No baseline for this plan/);
});
