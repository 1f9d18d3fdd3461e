import type { GrowthJudgement, SoakSample } from './growth.js';

const MB = 1024 * 1024;
const mb = (bytes: number): string => (bytes / MB).toFixed(1);

/**
 * The samples over time, one line each: operations done, elapsed seconds, and per process RSS
 * (MB), open fds, sockets and live children.
 */
export function soakSamplesTable(samples: readonly SoakSample[]): string {
  if (samples.length === 0) return '(no samples)';
  const names = Object.keys(samples[0]!.processes);
  const head = ['ops', 'elapsed s', ...names.flatMap((n) => [`${n} RSS MB`, `${n} fds`, `${n} sock`, `${n} child`])];
  const lines = samples.map((s) => [
    String(s.ops), (s.elapsedMs / 1000).toFixed(1),
    ...names.flatMap((n) => {
      const p = s.processes[n];
      return p ? [mb(p.rssBytes), String(p.fds), String(p.sockets), String(p.children)] : ['-', '-', '-', '-'];
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: readonly string[]) => cols.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [fmt(head), ...lines.map(fmt)].join('\n');
}

/** Per process: the first and last window's medians as the judgement saw them. */
export function growthLines(judgement: GrowthJudgement): string[] {
  return judgement.processes.map((p) => {
    const parts = p.metrics.map((m) => {
      const [a, b, allowed] = m.metric === 'rssBytes' ? [mb(m.firstMedian), mb(m.lastMedian), `${mb(m.allowed)} MB`] : [String(m.firstMedian), String(m.lastMedian), String(m.allowed)];
      const name = m.metric === 'rssBytes' ? 'RSS MB' : m.metric;
      return `${name} ${a} → ${b} (allowed +${allowed})${m.ok ? '' : ' GREW'}`;
    });
    return `${p.name}: ${parts.join(', ')}, children at end ${p.finalChildren}${p.ok ? '' : '  ← FAIL'}`;
  });
}

/** The one verdict line. */
export function soakVerdictLine(input: { sweeps: number; cells: number; failures: number; durationMs: number; judgement: GrowthJudgement }): string {
  const { sweeps, cells, failures, durationMs, judgement } = input;
  const ok = failures === 0 && judgement.ok;
  const what = `${sweeps} sweeps (both directions) + ${cells} cells in ${(durationMs / 1000).toFixed(0)} s`;
  if (ok) return `soak PASS: ${what}, every answer as expected, no growth beyond noise`;
  const why = [
    ...(failures > 0 ? [`${failures} failed operation(s)`] : []),
    ...judgement.findings,
  ];
  return `soak FAIL: ${what}: ${why.join('; ')}`;
}
