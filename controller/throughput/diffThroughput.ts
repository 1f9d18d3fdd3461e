import type { DirectionDiffInput } from '../kinds/testKind.js';
import type { Direction } from '../model/direction.js';
import type { CellJudgement, CellSide, DiffChange, ThroughputCellChange } from '../model/runDiff.js';
import type { ThroughputCell, ThroughputDirectionMatrix } from '../model/throughputMatrix.js';
import { jumboVerdictGotWorse, jumboVerdictRank } from '../model/verdicts.js';
import { formatBitsPerSecond, formatPercent } from '../render/throughputFormat.js';

/** A throughput median must move by more than this fraction (and beyond the noise) to count. */
export const DEFAULT_THROUGHPUT_THRESHOLD = 0.10;
/** Below this many ok repeats on either side, a throughput change is shown but never judged. */
export const MIN_JUDGED_REPEATS = 2;

const bps = (v: number | null): string => (v === null ? '-' : formatBitsPerSecond(v));
const signedPercent = (ratio: number): string => `${ratio >= 0 ? '+' : '−'}${formatPercent(Math.abs(ratio))}`;
const range = (s: CellSide): string => `[${bps(s.minBitsPerSecond)}, ${bps(s.maxBitsPerSecond)}]`;

function cellSide(cell: ThroughputCell | undefined): CellSide {
  if (!cell || cell.status === 'not-run') {
    return { status: 'absent', okRepeats: 0, medianBitsPerSecond: null, minBitsPerSecond: null, maxBitsPerSecond: null, toolBound: false };
  }
  return {
    status: cell.status, okRepeats: cell.okRepeats, medianBitsPerSecond: cell.medianBitsPerSecond,
    minBitsPerSecond: cell.minBitsPerSecond, maxBitsPerSecond: cell.maxBitsPerSecond, toolBound: cell.toolBound,
  };
}

function cellsByKey(m: ThroughputDirectionMatrix | null): Map<string, ThroughputCell> {
  const cells = new Map<string, ThroughputCell>();
  for (const row of m?.rows ?? []) for (const cell of row.cells) cells.set(`${row.row.row} P${cell.streams}`, cell);
  return cells;
}

function judgeCell(
  pairId: string, direction: Direction, subject: string, row: string, streams: number,
  b: CellSide, a: CellSide, threshold: number,
): DiffChange | null {
  const common = { pairId, direction, kind: 'throughput' as const, category: 'throughput' as const, subject };
  const bothMeasured = b.medianBitsPerSecond !== null && a.medianBitsPerSecond !== null;
  if (!bothMeasured) {
    if (b.status === a.status) return null;
    // iperf3 ran and measured nothing (e.g. stalled) where it measured before: the path got worse.
    const regression = b.medianBitsPerSecond !== null && a.status === 'failed';
    return {
      ...common, kind: 'cell-status', before: b.status, after: a.status, significant: true, regression,
      explanation: b.medianBitsPerSecond !== null
        ? `${subject}: measured ${bps(b.medianBitsPerSecond)} before, now ${a.status === 'absent' ? 'not run' : a.status}`
        : a.medianBitsPerSecond !== null
          ? `${subject}: ${b.status === 'absent' ? 'not run' : b.status} before, now measured ${bps(a.medianBitsPerSecond)}`
          : `${subject}: ${b.status} → ${a.status}`,
      cell: { row, streams, before: b, after: a, relativeChange: null, rangesOverlap: null, judgement: 'status' },
    };
  }
  const mb = b.medianBitsPerSecond!;
  const ma = a.medianBitsPerSecond!;
  const rel = mb > 0 ? (ma - mb) / mb : ma > 0 ? 1 : 0;
  if (Math.abs(rel) <= threshold) return null;
  const overlap = b.minBitsPerSecond! <= a.maxBitsPerSecond! && a.minBitsPerSecond! <= b.maxBitsPerSecond!;
  const moved = `${subject}: median ${bps(mb)} → ${bps(ma)} (${signedPercent(rel)})`;
  const toolNote = b.toolBound || a.toolBound ? `; ${a.toolBound && !b.toolBound ? 'now ' : ''}tool-bound: the hosts' CPU, not only the network, set the rate` : '';
  const cell = (judgement: CellJudgement): ThroughputCellChange => ({
    row, streams, before: b, after: a, relativeChange: rel, rangesOverlap: overlap, judgement,
  });
  if (b.okRepeats < MIN_JUDGED_REPEATS || a.okRepeats < MIN_JUDGED_REPEATS) {
    return {
      ...common, before: mb, after: ma, significant: false, regression: false,
      explanation: `${moved}; changed (single sample, not judged): ${b.okRepeats} and ${a.okRepeats} ok repeats, at least ${MIN_JUDGED_REPEATS} on each side are needed to judge the noise${toolNote}`,
      cell: cell('single-sample'),
    };
  }
  if (overlap) {
    return {
      ...common, before: mb, after: ma, significant: false, regression: false,
      explanation: `${moved}; within noise: the repeats' ranges ${range(b)} and ${range(a)} overlap${toolNote}`,
      cell: cell('within-noise'),
    };
  }
  return {
    ...common, before: mb, after: ma, significant: true, regression: rel < 0,
    explanation: `${moved}, beyond the noise (ranges ${range(b)} and ${range(a)} do not overlap) and the ${formatPercent(threshold)} threshold${rel < 0 ? '' : ': faster'}${toolNote}`,
    cell: cell('beyond-noise'),
  };
}

function sweetSpotText(s: { streams: number | null; degradesBeyond: number | null } | null): string {
  if (!s || s.streams === null) return 'none';
  return `P${s.streams}${s.degradesBeyond !== null ? ` (degrades beyond P${s.degradesBeyond})` : ''}`;
}

/**
 * Throughput changes of one direction: cells beyond both the repeats' noise and the threshold, cell
 * status changes, sweet spots and the jumbo verdict. Pure.
 */
export function diffThroughputDirection({ pairId, base, next, options }: DirectionDiffInput): DiffChange[] {
  const { direction } = next;
  const threshold = options.throughputThreshold ?? DEFAULT_THROUGHPUT_THRESHOLD;
  const mb = base.throughput;
  const ma = next.throughput;
  if (!mb && !ma) return [];
  const changes: DiffChange[] = [];
  const before = cellsByKey(mb);
  const after = cellsByKey(ma);
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const cellOf = (key: string) => (before.get(key) ?? after.get(key))!;
  for (const key of keys) {
    const c = cellOf(key);
    const change = judgeCell(pairId, direction, key, c.row, c.streams, cellSide(before.get(key)), cellSide(after.get(key)), threshold);
    if (change) changes.push(change);
  }

  // Sweet spots, per row present on both sides.
  for (const rowBefore of mb?.rows ?? []) {
    const rowAfter = ma?.rows.find((r) => r.row.row === rowBefore.row.row);
    if (!rowAfter) continue;
    const sb = rowBefore.sweetSpot;
    const sa = rowAfter.sweetSpot;
    const tb = sweetSpotText(sb);
    const ta = sweetSpotText(sa);
    if (tb === ta) continue;
    const rowMovedBeyondNoise = changes.some((c) => c.significant && c.cell?.row === rowBefore.row.row);
    const significant = rowMovedBeyondNoise || (sb.basis === 'none') !== (sa.basis === 'none');
    changes.push({
      pairId, direction, kind: 'sweet-spot', category: 'throughput', subject: `${rowBefore.row.row} row`,
      before: tb, after: ta, significant, regression: false,
      explanation: `${rowBefore.row.row} row sweet spot ${tb} → ${ta}${significant ? '' : ' (no cell of the row moved beyond the noise)'}: ${sa.explanation}`,
    });
  }

  // Jumbo verdict.
  const jb = mb?.jumboVerdict ?? null;
  const ja = ma?.jumboVerdict ?? null;
  const vb = jb?.verdict ?? null;
  const va = ja?.verdict ?? null;
  if (vb !== va) {
    const worse = jumboVerdictGotWorse(vb, va);
    const flip = vb !== null && va !== null && jumboVerdictRank(vb) === 0 && jumboVerdictRank(va) === 0;
    changes.push({
      pairId, direction, kind: 'jumbo-verdict', category: 'throughput', subject: null,
      before: vb, after: va, significant: !flip, regression: worse,
      explanation: `jumbo verdict ${vb ?? 'none'} → ${va ?? 'none'}${flip ? ' (a gain near the noise threshold)' : ''}: ${ja?.explanation ?? jb?.reason ?? ''}`,
    });
  }
  return changes;
}
