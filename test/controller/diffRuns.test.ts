import test from 'ava';
import { diffRuns } from '../../controller/diff/diffRuns.js';
import { renderDiffTable } from '../../controller/diff/diffTable.js';
import { throughputMatrixOf } from '../../controller/throughput/throughputReport.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import type { CellRecord } from '../../controller/model/cellRecord.js';
import type { DiffChange } from '../../controller/model/runDiff.js';
import type { PairResult, RunReport } from '../../controller/model/runReport.js';
import { jumboVerdictGotWorse, verdictGotWorse } from '../../controller/model/verdicts.js';

/*
 * The pure diff on reports built by the rack-12 fixture builder: 7 hosts, 21 pairs, 4 of them with
 * a throughput matrix (1500 and jumbo rows × P1, P4, 2 repeats each), h7 behind a 1500-byte switch.
 */

/** A fixture run whose matrices are rebuilt from its cells, exactly as aggregateRun does. */
function run(runId = 'r-base'): RunReport {
  const report = rackRun();
  report.runId = runId;
  for (const p of report.pairs) if (p.pmtu && p.cells.length) p.throughput = throughputMatrixOf(p.pmtu, p.cells.map((c) => c.record));
  return report;
}

function pairOf(report: RunReport, a: string, b: string): PairResult {
  const found = report.pairs.find((p) => p.pair.a.agent === a && p.pair.b.agent === b);
  if (!found) throw new Error(`no pair ${a}~${b}`);
  return found;
}

/** Rewrites a pair's cells (null drops one) and rebuilds its matrix. */
function retune(result: PairResult, f: (record: CellRecord) => CellRecord | null): void {
  result.cells = result.cells.flatMap((c) => {
    const record = f(c.record);
    return record ? [{ ...c, record }] : [];
  });
  result.throughput = throughputMatrixOf(result.pmtu!, result.cells.map((c) => c.record));
}

function scaled(record: CellRecord, factor: number): CellRecord {
  if (!('result' in record)) return record;
  return {
    ...record,
    result: {
      ...record.result,
      processes: record.result.processes.map((p) => ({
        ...p,
        bitsPerSecondReceived: p.bitsPerSecondReceived === null ? null : p.bitsPerSecondReceived * factor,
        bytesReceived: p.bytesReceived === null ? null : Math.round(p.bytesReceived * factor),
        intervalBitsPerSecond: p.intervalBitsPerSecond.map((v) => v * factor),
      })),
    },
  };
}

function setPathMtu(result: PairResult, direction: 'forward' | 'reverse', pathMtu: number, verdict: 'silent-drop' | 'mtu-mismatch'): void {
  const d = direction === 'forward' ? result.pmtu!.forward : result.pmtu!.reverse!;
  if (d.verdict === 'error') throw new Error('fixture direction is an error');
  Object.assign(d, { pathMtu, verdict, largestOkBytes: pathMtu, smallestFailBytes: pathMtu + 1, explanation: `largest DF datagram through is ${pathMtu}` });
}

const where = (c: DiffChange) => `${c.pairId} ${c.direction}`;

test('identical reports: no changes, no environment changes, not regressed', (t) => {
  const diff = diffRuns(run('r-a'), run('r-b'));
  t.deepEqual(diff.changes, []);
  t.deepEqual(diff.environment, []);
  t.false(diff.regressed);
  t.like(diff.summary, { pairsCompared: 21, pairsChanged: 0, pairsUnchanged: 21, pairsAdded: 0, pairsRemoved: 0, changes: 0, regressions: 0 });
  const table = renderDiffTable(diff);
  t.regex(table, /^pathprobe diff r-a .* → r-b /);
  t.regex(table, /\nno regression\n/);
  t.regex(table, /\nunchanged: 21 pairs \(h1↔h2, /);
});

test('a path MTU drop on one pair is found on exactly that pair and direction and nothing else', (t) => {
  const base = run('r-a');
  const next = run('r-b');
  const pair = pairOf(next, 'h1', 'h2');
  setPathMtu(pair, 'forward', 1500, 'silent-drop');
  const diff = diffRuns(base, next);

  t.true(diff.regressed);
  t.deepEqual([...new Set(diff.changes.map(where))], [`${pair.pair.id} forward`]);
  t.deepEqual(diff.changes.map((c) => [c.kind, c.before, c.after, c.significant, c.regression]), [
    ['path-mtu', 9000, 1500, true, true],
    ['verdict', 'ok', 'silent-drop', true, true],
  ]);
  const pd = diff.pairs.find((p) => p.pairId === pair.pair.id)!;
  t.true(pd.regressed);
  t.like(pd.directions[0], { direction: 'forward', route: 'h1 → h2', regressed: true, before: { pathMtu: 9000, verdict: 'ok' }, after: { pathMtu: 1500, verdict: 'silent-drop' } });
  t.deepEqual(pd.directions[1]!.changes, []);
  t.like(diff.summary, { pairsChanged: 1, pairsUnchanged: 20, regressions: 2 });

  const table = renderDiffTable(diff);
  t.regex(table, /REGRESSED: 2 regressions on 1 pair/);
  t.regex(table, /h1 198\.18\.1\.11 ↔ h2 198\.18\.1\.12 {2}REGRESSED\n {2}h1 → h2 \(forward\)\n/);
  t.regex(table, /path MTU +9000 +1500 +−7500 +REGRESSION/);
  t.regex(table, /verdict +ok +silent-drop +worse +REGRESSION/);
  t.notRegex(table, /h2 → h1/);
  t.regex(table, /unchanged: 20 pairs/);
});

test('a NIC MTU lowered shows as an environment change next to the verdict change', (t) => {
  const base = run('r-a');
  const next = run('r-b');
  const h2 = next.facts.h2 as AgentFactsResponse;
  h2.nics.find((n) => n.name === 'ens1f0')!.mtuBytes = 1500;
  const pair = pairOf(next, 'h1', 'h2');
  setPathMtu(pair, 'forward', 1500, 'mtu-mismatch');
  setPathMtu(pair, 'reverse', 1500, 'mtu-mismatch');
  const diff = diffRuns(base, next);

  t.true(diff.regressed);
  t.is(diff.environment.length, 1);
  t.like(diff.environment[0], { host: 'h2', address: '198.18.1.12', nic: 'ens1f0', kind: 'nic-mtu', before: 9000, after: 1500 });
  t.is(diff.environment[0]!.pairs.length, 6, 'every pair with h2 at one end');
  for (const direction of pair.pmtu ? (['forward', 'reverse'] as const) : []) {
    const d = diff.pairs.find((p) => p.pairId === pair.pair.id)!.directions.find((x) => x.direction === direction)!;
    t.deepEqual(d.changes.map((c) => c.kind), ['path-mtu', 'verdict', 'nic-mtu'], direction);
    const env = d.changes[2]!;
    t.like(env, { category: 'environment', subject: 'h2 ens1f0 (198.18.1.12)', before: 9000, after: 1500, significant: true, regression: false });
    t.regex(env.explanation, /NIC MTU 9000 → 1500.*may explain/);
  }
  // h2's other pairs show no result change, so the environment change is not repeated there
  t.deepEqual([...new Set(diff.changes.map((c) => c.pairId))], [pair.pair.id]);
  const table = renderDiffTable(diff);
  t.regex(table, /h2 ens1f0 \(198\.18\.1\.12\) NIC MTU +9000 +1500 +may explain/);
  t.regex(table, /environment changes:\n {2}h2 ens1f0 \(198\.18\.1\.12\): NIC MTU 9000 → 1500: caps the path MTU .* \(6 pairs\)/);
});

test('a throttled link (medians −40 %, ranges disjoint, 2 repeats) is a throughput regression on that pair and direction', (t) => {
  const base = run('r-a');
  const next = run('r-b');
  const pair = pairOf(next, 'h3', 'h4');
  retune(pair, (r) => (r.direction === 'forward' ? scaled(r, 0.6) : r));
  const diff = diffRuns(base, next);

  t.true(diff.regressed);
  t.deepEqual([...new Set(diff.changes.map(where))], [`${pair.pair.id} forward`]);
  const cells = diff.changes.filter((c) => c.kind === 'throughput');
  t.deepEqual(cells.map((c) => c.subject).sort(), ['1500 P1', '1500 P4', 'jumbo P1', 'jumbo P4']);
  for (const c of cells) {
    t.true(c.significant && c.regression, c.subject!);
    t.is(c.cell!.judgement, 'beyond-noise');
    t.false(c.cell!.rangesOverlap);
    t.true(Math.abs(c.cell!.relativeChange! + 0.4) < 1e-9);
    t.regex(c.explanation, /\(−40\.0 %\), beyond the noise/);
  }
  t.regex(renderDiffTable(diff), /throughput 1500 P4 +23\.50 Gbit\/s ×2 +14\.10 Gbit\/s ×2 +−40\.0 % beyond noise +REGRESSION/);
});

test('the same numbers ±3 % with overlapping ranges are not a regression, nor is a >10 % move inside the noise', (t) => {
  const base = run('r-a');
  const next = run('r-b');
  // every repeat of every cell jitters by up to ±3 %: two runs of an unchanged lab
  let k = 0;
  for (const p of next.pairs) if (p.cells.length) retune(p, (r) => scaled(r, 1 + 0.03 * Math.sin(++k * 2.3)));
  const noisy = diffRuns(base, next);
  t.false(noisy.regressed);
  t.deepEqual(noisy.changes.filter((c) => c.category === 'throughput' && c.significant), []);

  // one cell: a repeat lost 30 %, the median moved 15 % but the repeats' ranges overlap
  const wide = run('r-c');
  retune(pairOf(wide, 'h1', 'h2'), (r) => (r.direction === 'forward' && r.row === '1500' && r.streams === 4 && r.repeat === 1 ? scaled(r, 0.7) : r));
  const diff = diffRuns(base, wide);
  t.false(diff.regressed);
  const c = diff.changes.find((x) => x.kind === 'throughput')!;
  t.like(c, { subject: '1500 P4', significant: false, regression: false });
  t.is(c.cell!.judgement, 'within-noise');
  t.regex(c.explanation, /within noise: the repeats' ranges .* overlap/);
});

test('single-repeat cells are shown as "changed (single sample, not judged)" and never count as regressions', (t) => {
  const onlyFirst = (r: CellRecord) => (r.repeat === 1 ? r : null);
  const base = run('r-a');
  retune(pairOf(base, 'h5', 'h6'), onlyFirst);
  const next = run('r-b');
  retune(pairOf(next, 'h5', 'h6'), (r) => (r.repeat === 1 ? scaled(r, 0.5) : null));
  // and a cell with two repeats before but one after
  retune(pairOf(next, 'h1', 'h2'), (r) => (r.direction === 'reverse' && r.row === 'jumbo' && r.streams === 1 ? (r.repeat === 1 ? scaled(r, 0.5) : null) : r));
  const diff = diffRuns(base, next);

  t.false(diff.regressed);
  const cells = diff.changes.filter((c) => c.kind === 'throughput');
  t.is(cells.length, 9, '8 cells of h5~h6 and one of h1~h2');
  for (const c of cells) {
    t.like(c, { significant: false, regression: false });
    t.is(c.cell!.judgement, 'single-sample');
    t.regex(c.explanation, /changed \(single sample, not judged\)/);
  }
  t.regex(renderDiffTable(diff), /−50\.0 % single sample, not judged/);
});

test('a jumbo row that now stalls: cells no longer measure and the jumbo verdict got worse', (t) => {
  const base = run('r-a');
  const next = run('r-b');
  const pair = pairOf(next, 'h1', 'h2');
  retune(pair, (r) => {
    if (r.direction !== 'forward' || r.row !== 'jumbo' || !('result' in r)) return r;
    const p = r.result.processes[0]!;
    return { ...r, result: { ...r.result, processes: [{ ...p, bytesReceived: 0, bitsPerSecondReceived: 0, intervalBitsPerSecond: [0, 0, 0], failure: { class: 'stalled' as const, message: 'stalled' } }] } };
  });
  const diff = diffRuns(base, next);
  t.true(diff.regressed);
  const jumbo = diff.changes.find((c) => c.kind === 'jumbo-verdict')!;
  t.like(jumbo, { before: 'jumbo-gain', after: 'jumbo-stalled', significant: true, regression: true });
  t.deepEqual(diff.changes.filter((c) => c.kind === 'cell-status').map((c) => [c.subject, c.before, c.after, c.regression]),
    [['jumbo P1', 'measured', 'failed', true], ['jumbo P4', 'measured', 'failed', true]]);
});

test('added and removed pairs, with why they are missing; neither is a regression', (t) => {
  const base = run('r-a');
  base.pairs = base.pairs.filter((p) => !(p.pair.a.agent === 'h1' && p.pair.b.agent === 'h2'));
  const next = run('r-b');
  next.facts.h7 = { error: 'ERR_AGENT_UNREACHABLE: connect ECONNREFUSED 198.19.12.17:7420' };
  next.pairs = next.pairs.filter((p) => p.pair.b.agent !== 'h7');
  const diff = diffRuns(base, next);

  t.false(diff.regressed);
  t.like(diff.summary, { pairsCompared: 14, pairsAdded: 1, pairsRemoved: 6, pairsUnchanged: 14 });
  const added = diff.changes.filter((c) => c.kind === 'pair-added');
  t.deepEqual(added.map((c) => c.pairId), ['h1/198.18.1.11~h2/198.18.1.12']);
  const removed = diff.changes.filter((c) => c.kind === 'pair-removed');
  t.is(removed.length, 6);
  for (const c of removed) {
    t.like(c, { direction: null, significant: true, regression: false, after: null });
    t.regex(c.explanation, /agent h7 could not be reached in the newer run: ERR_AGENT_UNREACHABLE/);
  }
  const table = renderDiffTable(diff);
  t.regex(table, /\+ h1 198\.18\.1\.11 ↔ h2 198\.18\.1\.12 {2}added: new pair/);
  t.regex(table, /- h1 198\.18\.1\.11 ↔ h7 198\.18\.1\.17 {2}removed: pair no longer tested: agent h7 could not be reached/);
});

test('agent version, kernel and iperf3 version changes are environment changes of the host', (t) => {
  const base = run('r-a');
  const next = run('r-b');
  const h3 = next.facts.h3 as AgentFactsResponse;
  h3.kernel = '6.12.0-1-amd64';
  h3.agentVersion = '0.2.0';
  retune(pairOf(next, 'h3', 'h4'), (r) => ('result' in r && r.direction === 'forward' ? { ...r, result: { ...r.result, iperfVersion: '3.18' } } : r));
  const diff = diffRuns(base, next);
  t.false(diff.regressed);
  t.deepEqual(diff.changes, [], 'no result changed, so nothing is attached to a pair');
  t.deepEqual(diff.environment.map((e) => [e.host, e.kind, e.before, e.after]), [
    ['h3', 'agent-version', '0.1.0', '0.2.0'],
    ['h3', 'kernel', '6.1.0-31-amd64', '6.12.0-1-amd64'],
    ['h3', 'iperf-version', '3.12', '3.12, 3.18'],
  ]);
  t.is(diff.environment[0]!.pairs.length, 6);
});

test('verdict order: ok → anything is worse; unreachable > silent-drop > frag-needed > mtu-mismatch > ok', (t) => {
  t.true(verdictGotWorse('ok', 'mtu-mismatch'));
  t.true(verdictGotWorse('ok', 'error'));
  t.true(verdictGotWorse('mtu-mismatch', 'frag-needed'));
  t.true(verdictGotWorse('frag-needed', 'silent-drop'));
  t.true(verdictGotWorse('silent-drop', 'unreachable'));
  t.false(verdictGotWorse('silent-drop', 'mtu-mismatch'));
  t.false(verdictGotWorse('unreachable', 'ok'));
  t.false(verdictGotWorse('error', 'silent-drop'));
  t.false(verdictGotWorse('ok', 'ok'));
  t.true(jumboVerdictGotWorse('jumbo-gain', 'jumbo-slower'));
  t.true(jumboVerdictGotWorse('jumbo-slower', 'jumbo-stalled'));
  t.false(jumboVerdictGotWorse('jumbo-gain', 'jumbo-no-gain'));
  t.false(jumboVerdictGotWorse('jumbo-stalled', 'jumbo-gain'));
});
