import type { ThroughputCellRepeat } from './throughputCell.js';
import { summarizeCell } from './throughputCell.js';
import { throughputJumboVerdict } from './throughputJumboVerdict.js';
import { throughputRows } from './throughputRows.js';
import type { SweetSpotOptions } from './throughputSweetSpot.js';
import { throughputSweetSpot } from './throughputSweetSpot.js';
import type { IpFamily, ThroughputDirectionMatrix, ThroughputMatrix, ThroughputMatrixRow, ThroughputMatrixRun } from '../model/throughputMatrix.js';
import type { PmtuVerdict } from '../model/verdicts.js';
import type { Direction } from '../model/direction.js';



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
  directions: Partial<Record<Direction, ThroughputDirectionContext>>;
  sweetSpot?: SweetSpotOptions;
}




const DIRECTIONS: readonly Direction[] = ['forward', 'reverse'];

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
