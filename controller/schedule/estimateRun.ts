import type { Pair, TestKind } from '../run/runModel.js';

/** Path MTU sweep of one pair, both directions (lab runs take 0.3–1.5 s). */
export const PMTU_MS_PER_PAIR = 1000;
/** Per throughput cell beyond its duration: iperf3 start, connect, omit second, result upload. */
export const CELL_OVERHEAD_MS = 2000;
export const PMTU_BYTES_PER_PAIR = 2 * 100 * 9000;
/** Rows per direction when nothing better is known: '1500' and 'jumbo' ('path' makes it 3). */
export const DEFAULT_ROWS_PER_DIRECTION = 2;
const DIRECTIONS = 2;

export interface RunEstimateInput {
  pairs: readonly Pair[];
  rounds: readonly (readonly Pair[])[];
  tests: readonly TestKind[];
  throughput: { streams: readonly number[]; durationMs: number; repeats: number };
  /** How many path-MTU sweeps run at once. */
  pmtuParallel: number;
  /** Frame-size rows per direction: a number for every pair, or per pair (1 at 1500 NICs, 2 jumbo, 3 with a path row). */
  rowsPerDirection?: number | ((pair: Pair) => number);
  /**
   * Link speed in Mbit/s, keyed by agent name, or by `agent/address` for one NIC (that wins).
   * Null or missing = unknown. A pair's speed is the slower end's.
   */
  linkSpeedMbps?: Readonly<Record<string, number | null | undefined>>;
  pmtuMsPerPair?: number;
  cellOverheadMs?: number;
}

export interface RunEstimate {
  /** Wall time: path-MTU sweeps, then the throughput rounds one after another. */
  durationMs: number;
  pmtuMs: number;
  throughputMs: number;
  /**
   * Upper bound of the bytes the throughput cells put on the wire: every cell at the pair's link
   * speed for its whole duration. Counts only pairs whose link speed is known; 0 without throughput.
   */
  bytes: number;
  /** Pairs in the throughput test whose link speed is unknown: `bytes` leaves them out. */
  pairsWithoutLinkSpeed: number;
  rounds: number;
  pairs: number;
  /** Cells of one pair, both directions (the largest, when pairs differ): rows × stream counts × repeats × 2. */
  cellsPerPair: number;
  /** One line for the user: "15 pairs, 5 throughput rounds, about 12 min, at most 540 GB". */
  text: string;
}

function speedOf(pair: Pair, speeds: RunEstimateInput['linkSpeedMbps']): number | null {
  if (!speeds) return null;
  const end = (e: Pair['a']) => speeds[`${e.agent}/${e.address}`] ?? speeds[e.agent] ?? null;
  const a = end(pair.a);
  const b = end(pair.b);
  if (a === null || b === null || !(a > 0) || !(b > 0)) return null;
  return Math.min(a, b);
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  const min = s / 60;
  if (min < 90) return `${Math.round(min)} min`;
  const h = min / 60;
  return `${h < 10 ? h.toFixed(1) : Math.round(h)} h`;
}

/** Decimal units, as link speeds are: 1 GB = 10^9 bytes. */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [[1e15, 'PB'], [1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${v < 10 ? Number(v.toFixed(1)) : Math.round(v)} ${unit}`;
    }
  }
  return `${Math.round(bytes)} B`;
}

/**
 * How long a run will take and how much it will send, before it starts. Pure arithmetic:
 * - path MTU: ⌈pairs / pmtuParallel⌉ × ~1 s;
 * - throughput: per round, the pair with the most cells sets the pace: cells × (duration + ~2 s);
 *   cells = rows per direction × stream counts × repeats × 2 directions; rounds run one after another;
 * - bytes: per pair, cells × duration × the slower end's link speed / 8. An upper bound: no cell
 *   exceeds its link, and most (1 stream, 1500 row, a stalled row) stay well below.
 */
export function estimateRun(input: RunEstimateInput): RunEstimate {
  const pmtuMsPerPair = input.pmtuMsPerPair ?? PMTU_MS_PER_PAIR;
  const overheadMs = input.cellOverheadMs ?? CELL_OVERHEAD_MS;
  const rows = input.rowsPerDirection ?? DEFAULT_ROWS_PER_DIRECTION;
  const { streams, durationMs, repeats } = input.throughput;
  const cellsOf = (pair: Pair) => (typeof rows === 'function' ? rows(pair) : rows) * streams.length * repeats * DIRECTIONS;

  const doPmtu = input.tests.includes('pmtu');
  const doThroughput = input.tests.includes('throughput');
  const parallel = Math.max(1, Math.floor(input.pmtuParallel));
  const pmtuMs = doPmtu ? Math.ceil(input.pairs.length / parallel) * pmtuMsPerPair : 0;

  let throughputMs = 0;
  let bytes = 0;
  let pairsWithoutLinkSpeed = 0;
  let cellsPerPair = 0;
  const rounds = doThroughput ? input.rounds.filter((r) => r.length > 0) : [];
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
    throughputMs += longest * (durationMs + overheadMs);
  }
  if (!doThroughput) cellsPerPair = 0;

  const total = pmtuMs + throughputMs;
  const parts = [`${input.pairs.length} pair${input.pairs.length === 1 ? '' : 's'}`];
  if (doThroughput) parts.push(`${rounds.length} throughput round${rounds.length === 1 ? '' : 's'}`);
  parts.push(`about ${formatDuration(total)}`);
  // Path-MTU probes: 2 directions × at most ~100 probes × at most a 9000-byte packet, per pair.
  parts.push(`path-MTU probes at most ${formatBytes(input.pairs.length * PMTU_BYTES_PER_PAIR)}`);
  if (doThroughput) {
    const measured = rounds.reduce((n, r) => n + r.length, 0);
    if (pairsWithoutLinkSpeed === measured && measured > 0) parts.push('bytes unknown (no link speed reported)');
    else if (measured > 0) {
      parts.push(`at most ${formatBytes(bytes)}${pairsWithoutLinkSpeed > 0 ? ` (+ ${pairsWithoutLinkSpeed} pair${pairsWithoutLinkSpeed === 1 ? '' : 's'} of unknown link speed)` : ''}`);
    }
  }
  return {
    durationMs: total, pmtuMs, throughputMs, bytes, pairsWithoutLinkSpeed,
    rounds: rounds.length, pairs: input.pairs.length, cellsPerPair, text: parts.join(', '),
  };
}
