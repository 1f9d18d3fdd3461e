import type { PmtuVerdict } from '../pmtu/pmtuVerdict.js';
import type { ThroughputCell, ThroughputCellRepeat, ThroughputRunOutcome } from './throughputCell.js';
import { summarizeCell } from './throughputCell.js';
import type { IpFamily } from './throughputGoodput.js';
import type { ThroughputJumboVerdict } from './throughputJumboVerdict.js';
import { throughputJumboVerdict } from './throughputJumboVerdict.js';
import type { ThroughputRow, ThroughputRowKind } from './throughputRows.js';
import { throughputRows } from './throughputRows.js';
import type { SweetSpotOptions, ThroughputSweetSpot } from './throughputSweetSpot.js';
import { throughputSweetSpot } from './throughputSweetSpot.js';

export type ThroughputDirection = 'forward' | 'reverse';

/** One repeat of one cell as the scheduler recorded it. */
export interface ThroughputMatrixRun {
  direction: ThroughputDirection;
  row: ThroughputRowKind;
  streams: number;
  repeat: number;
  result: ThroughputRunOutcome;
}

export interface ThroughputDirectionContext {
  /** For explanations, e.g. 'h1 → h2'; defaults to the direction's name. */
  route?: string;
  senderNicMtuBytes: number;
  receiverNicMtuBytes: number;
  /** The path MTU verdict of this direction (a `DirectionVerdict` fits); null when not measured. */
  pathMtu: { verdict: PmtuVerdict; pathMtu: number | null } | null;
}

export interface ThroughputMatrixContext {
  family: IpFamily;
  /** The slower end's link speed; null when unknown. */
  linkSpeedMbps: number | null;
  directions: Partial<Record<ThroughputDirection, ThroughputDirectionContext>>;
  sweetSpot?: SweetSpotOptions;
}

export interface ThroughputMatrixRow {
  row: ThroughputRow;
  /** One cell per column of `streams`, in the same order. */
  cells: ThroughputCell[];
  sweetSpot: ThroughputSweetSpot;
}

export interface ThroughputDirectionMatrix {
  direction: ThroughputDirection;
  route: string;
  /** The stream-count columns: every count run in this direction, ascending. */
  streams: number[];
  rows: ThroughputMatrixRow[];
  jumboVerdict: ThroughputJumboVerdict;
}

export interface ThroughputMatrix {
  family: IpFamily;
  linkSpeedMbps: number | null;
  directions: ThroughputDirectionMatrix[];
  /** Runs that fit no row of the matrix (no context for their direction, or a row the NIC MTUs do not give). */
  unmatched: Array<{ run: ThroughputMatrixRun; reason: string }>;
}

const DIRECTIONS: readonly ThroughputDirection[] = ['forward', 'reverse'];

/**
 * Assemble the throughput matrix: per direction, rows × stream counts of cell summaries, the sweet
 * spot of each row and the jumbo verdict. A cell's agent errors stay in that cell; every other cell
 * is summarised as usual. Pure.
 */
export function throughputMatrix(runs: readonly ThroughputMatrixRun[], context: ThroughputMatrixContext): ThroughputMatrix {
  const unmatched: ThroughputMatrix['unmatched'] = [];
  const directions: ThroughputDirectionMatrix[] = [];
  for (const direction of DIRECTIONS) {
    const dirRuns = runs.filter((r) => r.direction === direction);
    const ctx = context.directions[direction];
    if (!ctx) {
      for (const run of dirRuns) unmatched.push({ run, reason: `no context for the ${direction} direction` });
      continue;
    }
    const route = ctx.route ?? direction;
    const rows = throughputRows({
      family: context.family,
      senderNicMtuBytes: ctx.senderNicMtuBytes,
      receiverNicMtuBytes: ctx.receiverNicMtuBytes,
      pathMtuBytes: ctx.pathMtu?.pathMtu ?? null,
    });
    const placed = dirRuns.filter((run) => {
      if (rows.some((r) => r.row === run.row)) return true;
      unmatched.push({ run, reason: `${route} has no '${run.row}' row with NIC MTUs ${ctx.senderNicMtuBytes}/${ctx.receiverNicMtuBytes}` });
      return false;
    });
    const streams = [...new Set(placed.map((r) => r.streams))].sort((a, b) => a - b);
    const matrixRows: ThroughputMatrixRow[] = rows.map((row) => {
      const cells = streams.map((s) => {
        const repeats: ThroughputCellRepeat[] = placed
          .filter((r) => r.row === row.row && r.streams === s)
          .map((r) => ({ repeat: r.repeat, result: r.result }));
        return summarizeCell(repeats, { row, streams: s, family: context.family, linkSpeedMbps: context.linkSpeedMbps });
      });
      return { row, cells, sweetSpot: throughputSweetSpot(row.row, cells, context.sweetSpot) };
    });
    const base = matrixRows.find((r) => r.row.row === '1500')!;
    const jumbo = matrixRows.find((r) => r.row.row === 'jumbo') ?? null;
    const jumboVerdict = throughputJumboVerdict({
      route,
      family: context.family,
      baseRow: base.row,
      baseCells: base.cells,
      jumboRow: jumbo?.row ?? null,
      jumboCells: jumbo?.cells ?? [],
      pathMtu: ctx.pathMtu,
    });
    directions.push({ direction, route, streams, rows: matrixRows, jumboVerdict });
  }
  return { family: context.family, linkSpeedMbps: context.linkSpeedMbps, directions, unmatched };
}
