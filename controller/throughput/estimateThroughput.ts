import type { KindEstimate, KindEstimateInput } from '../kinds/testKind.js';
import type { Pair } from '../model/pair.js';
import { formatBytes } from '../render/quantityText.js';

/** Per throughput cell beyond its duration: iperf3 start, connect, omit second, result upload. */
export const CELL_OVERHEAD_MS = 2000;
/** Rows per direction when nothing better is known: '1500' and 'jumbo' ('path' makes it 3). */
export const DEFAULT_ROWS_PER_DIRECTION = 2;
const DIRECTIONS = 2;

function speedOf(pair: Pair, speeds: KindEstimateInput['linkSpeedMbps']): number | null {
  if (!speeds) return null;
  const end = (e: Pair['a']) => speeds[`${e.agent}/${e.address}`] ?? speeds[e.agent] ?? null;
  const a = end(pair.a);
  const b = end(pair.b);
  if (a === null || b === null || !(a > 0) || !(b > 0)) return null;
  return Math.min(a, b);
}

/** How long one cell takes on the wire and around it. */
export function cellDurationMs(durationMs: number): number {
  return durationMs + CELL_OVERHEAD_MS;
}

/**
 * Throughput in rounds, one after another; in each round the pair with the most cells sets the
 * pace: cells × (duration + ~2 s), cells = rows per direction × stream counts × repeats × 2
 * directions. Bytes: per pair, cells × duration × the slower end's link speed / 8, an upper bound
 * (no cell exceeds its link, and most stay well below). Pure.
 */
export function estimateThroughput(input: KindEstimateInput): KindEstimate {
  const rows = input.rowsPerDirection ?? DEFAULT_ROWS_PER_DIRECTION;
  const { streams, durationMs, repeats } = input.plan.throughput;
  const cellsOf = (pair: Pair) => (typeof rows === 'function' ? rows(pair) : rows) * streams.length * repeats * DIRECTIONS;
  let throughputMs = 0;
  let bytes = 0;
  let pairsWithoutLinkSpeed = 0;
  let cellsPerPair = 0;
  const rounds = input.rounds.filter((r) => r.length > 0);
  for (const round of rounds) {
    let longest = 0;
    for (const pair of round) {
      const cells = cellsOf(pair);
      longest = Math.max(longest, cells);
      cellsPerPair = Math.max(cellsPerPair, cells);
      const speed = speedOf(pair, input.linkSpeedMbps);
      if (speed === null) pairsWithoutLinkSpeed++;
      else bytes += cells * (durationMs / 1000) * speed * 1e6 / 8;
    }
    throughputMs += longest * cellDurationMs(durationMs);
  }
  const costs: string[] = [];
  const measured = rounds.reduce((n, r) => n + r.length, 0);
  if (pairsWithoutLinkSpeed === measured && measured > 0) costs.push('bytes unknown (no link speed reported)');
  else if (measured > 0) {
    costs.push(`at most ${formatBytes(bytes)}${pairsWithoutLinkSpeed > 0 ? ` (+ ${pairsWithoutLinkSpeed} pair${pairsWithoutLinkSpeed === 1 ? '' : 's'} of unknown link speed)` : ''}`);
  }
  return {
    durationMs: throughputMs,
    bytes,
    counts: [`${rounds.length} throughput round${rounds.length === 1 ? '' : 's'}`],
    costs,
    details: { rounds: rounds.length, cellsPerPair, pairsWithoutLinkSpeed },
  };
}
