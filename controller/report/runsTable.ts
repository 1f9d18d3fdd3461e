import type { RunSummary } from '../store/RunStore.js';

/** `pathprobe runs`: one line per run, newest first. Pure. */
export function runsTable(runs: readonly RunSummary[]): string {
  const rows = [['run', 'started (UTC)', 'status', 'exit', 'pairs', 'cells', 'findings', 'plan']];
  for (const run of runs) {
    rows.push([
      run.runId,
      new Date(run.startedAtMs).toISOString().slice(0, 19).replace('T', ' '),
      run.status,
      run.exitCode === null ? '-' : String(run.exitCode),
      String(run.pairs),
      run.cellsFailed ? `${run.cells} (${run.cellsFailed} failed)` : String(run.cells),
      run.findings === null ? '-' : `${run.findings} (${run.failingFindings ?? 0} failing)`,
      run.planPath ?? '-',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
