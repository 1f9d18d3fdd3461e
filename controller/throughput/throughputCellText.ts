import { gbit, percent } from '../render/format.js';
import type { ThroughputCell } from '../model/throughputMatrix.js';

/** One throughput cell as short text, like the terminal table: '23.4', 'STALLED', 'STALLED 1 of 4 streams', 'skipped'. */
export function throughputCellText(cell: ThroughputCell): string {
  if (cell.partialStall && cell.stalledStreams) return `STALLED ${cell.stalledStreams.stalled} of ${cell.stalledStreams.of} streams`;
  if (cell.stalled) return 'STALLED';
  if (cell.status === 'skipped') return cell.skipped === 'stalled-row' ? 'skipped (row stalled)' : 'skipped';
  if (cell.status === 'error') return 'error';
  if (cell.status === 'not-run') return '—';
  if (cell.medianBitsPerSecond === null) return `failed: ${Object.keys(cell.failureClasses)[0] ?? '?'}`;
  const spread = cell.relativeSpread !== null && cell.okRepeats > 1 ? ` ±${percent(cell.relativeSpread / 2, 1)}` : '';
  return `${gbit(cell.medianBitsPerSecond)}${spread}${cell.toolBound ? ' *' : ''}`;
}

/** The best measured cell of a row: tool-bound cells only when nothing else measured. */
export function bestThroughputCell(cells: readonly ThroughputCell[]): ThroughputCell | null {
  const measured = cells.filter((c) => c.medianBitsPerSecond !== null);
  const clean = measured.filter((c) => !c.toolBound);
  let best: ThroughputCell | null = null;
  for (const c of clean.length ? clean : measured) if (best === null || c.medianBitsPerSecond! > best.medianBitsPerSecond!) best = c;
  return best;
}

/** A row stalled when a cell stalled or was skipped because the row had. */
export function rowStalled(cells: readonly ThroughputCell[]): boolean {
  return cells.some((c) => c.stalled || c.skipped === 'stalled-row');
}
