import { formatBitsPerSecond } from '../render/throughputFormat.js';
import type { ThroughputReport } from './throughputReport.js';
import type { ThroughputCell } from '../model/throughputMatrix.js';

function cellText(cell: ThroughputCell): string {
  if (cell.status === 'skipped') return 'skipped';
  if (cell.partialStall && cell.stalledStreams) return `STALLED ${cell.stalledStreams.stalled}/${cell.stalledStreams.of}`;
  if (cell.stalled) return 'STALLED';
  if (cell.status === 'error') return 'error';
  if (cell.status === 'failed' || cell.medianBitsPerSecond === null) return `failed:${Object.keys(cell.failureClasses)[0] ?? '?'}`;
  if (cell.status === 'not-run') return '-';
  const spread = cell.relativeSpread !== null && cell.runs.length > 1 ? ` ±${Math.round((cell.relativeSpread * 100) / 2)}%` : '';
  return `${formatBitsPerSecond(cell.medianBitsPerSecond).replace(' Gbit/s', 'G').replace(' Mbit/s', 'M')}${spread}${cell.toolBound ? '*' : ''}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]! + 2)).join('').trimEnd());
}

/** The terminal matrix: one block per direction, verdicts in words under it. Pure. */
export function throughputTable(report: ThroughputReport): string {
  const lines: string[] = [];
  for (const d of report.matrix.directions) {
    const pmtu = d.direction === 'forward' ? report.pmtu.forward : report.pmtu.reverse;
    const pmtuText = pmtu && pmtu.verdict !== 'error' ? `path MTU ${pmtu.pathMtu ?? '-'} (${pmtu.verdict})` : 'path MTU not measured';
    lines.push(`${d.route}   ${pmtuText}`);
    const header = ['frames', ...d.streams.map((n) => `P${n}`)];
    const body = d.rows.map((r) => [`${r.row.label}${r.row.mssBytes ? ` (MSS ${r.row.mssBytes})` : ''}`, ...r.cells.map(cellText)]);
    lines.push(...table([header, ...body]).map((l) => `  ${l}`));
    for (const r of d.rows) {
      const spot = r.sweetSpot;
      if (spot.streams !== null) {
        lines.push(`  sweet spot ${r.row.label}: ${spot.streams} stream${spot.streams === 1 ? '' : 's'}${spot.degradesBeyond !== null ? `, degrades beyond ${spot.degradesBeyond}` : ''}${spot.basis === 'tool-bound-only' ? ' (tool-bound: says more about the hosts than the network)' : ''}`);
      }
    }
    const jumbo = d.jumboVerdict;
    lines.push(`  jumbo: ${jumbo.verdict ?? 'n/a'}${jumbo.gainPercent !== null && jumbo.verdict !== 'jumbo-stalled' ? ` (${jumbo.gainPercent > 0 ? '+' : ''}${jumbo.gainPercent} %)` : ''} — ${jumbo.explanation}`);
    lines.push('');
  }
  if (report.matrix.directions.some((d) => d.rows.some((r) => r.cells.some((c) => c.toolBound)))) {
    lines.push('* tool-bound: iperf3 or a core ran at ≥ 85 %; the cell measures the host, draw no conclusion from it.');
  }
  const errors = report.cells.filter((c) => 'error' in c);
  for (const c of errors) {
    if ('error' in c) lines.push(`! ${c.direction} ${c.row} P${c.streams} repeat ${c.repeat}: ${c.error.message}`);
  }
  return lines.join('\n').trimEnd() + '\n';
}
