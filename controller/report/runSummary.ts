import type { ComparedRunReport } from '../diff/runComparison.js';

/** The terminal summary of a run: expectations, verdict counts and findings with their fixes. Pure. */
export function runSummary(report: ComparedRunReport): string {
  const lines: string[] = [];
  const counts = new Map<string, number>();
  for (const pair of report.pairs) {
    for (const d of [pair.pmtu?.forward, pair.pmtu?.reverse]) {
      const verdict = pair.pmtuError ? 'error' : d?.verdict ?? 'not measured';
      counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
    }
  }
  const cells = report.pairs.reduce((n, p) => n + p.cells.length, 0);
  const scope = report.plan.onlyThrough ? `, only those crossing ${report.plan.onlyThrough.key}=${report.plan.onlyThrough.value}` : '';
  lines.push(`run ${report.runId} (${report.status}): ${report.pairs.length} pairs${scope}, ${cells} throughput cells`);
  lines.push(`path MTU, per direction: ${[...counts].map(([verdict, n]) => `${n} ${verdict}`).join(', ') || 'none'}`);
  for (const e of report.expectations) {
    lines.push(`${e.pass ? 'PASS' : 'FAIL'}  ${e.name} ${e.expected}: ${e.passed} passed, ${e.failed} failed`);
    for (const failure of e.failures.slice(0, 5)) lines.push(`      ${failure}`);
    if (e.failures.length > 5) lines.push(`      … ${e.failures.length - 5} more`);
  }
  if (report.findings.length) lines.push('', 'findings:');
  for (const f of report.findings) {
    lines.push(`${f.severity === 'fail' ? '✗' : '!'} ${f.title}`);
    lines.push(`  ${f.explanation}`);
    if (f.fix) lines.push(`  fix: ${f.fix}`);
    for (const command of f.repro) lines.push(`  $ ${command}`);
  }
  const c = report.comparison;
  const regressedOnly = c?.regressed === true && report.exitCode === 1
    && !report.expectations.some((e) => !e.pass) && !report.findings.some((f) => f.severity === 'fail');
  lines.push('', report.exitCode === 0 ? 'result: every expectation met'
    : regressedOnly ? `result: REGRESSED since ${c!.baselineRunId}, though every expectation is met (see the changes below)`
      : report.exitCode === 1 ? 'result: FAILED (see above)' : 'result: could not measure everything (see above)');
  if (c) {
    const s = c.summary;
    lines.push(`compared with ${c.against === 'baseline' ? 'baseline ' : ''}${c.baselineRunId}: ${c.regressed ? `REGRESSED (${s.regressions} regression${s.regressions === 1 ? '' : 's'})` : 'no regression'}, `
      + `${s.pairsChanged} of ${s.pairsCompared} pairs changed`);
  }
  return lines.join('\n') + '\n';
}
