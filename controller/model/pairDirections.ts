import { DIRECTIONS, type Direction } from './direction.js';
import type { Endpoint } from './endpoint.js';
import { pairEnds, type Pair } from './pair.js';
import type { DirectionReport } from './pmtuReport.js';
import type { PairResult } from './runReport.js';
import type { ThroughputDirectionMatrix } from './throughputMatrix.js';
import type { JumboVerdictKind, PathVerdict } from './verdicts.js';

/** One direction of one pair's results: what roll-ups, findings, diffs and reports read. */
export interface PairDirectionView {
  result: PairResult;
  pair: Pair;
  direction: Direction;
  sender: Endpoint;
  receiver: Endpoint;
  /** The path-MTU verdict; 'error' when the direction could not be measured, null when it was not tested. */
  verdict: PathVerdict | null;
  pathMtu: number | null;
  /** The direction's path-MTU report; null when the whole pair failed (`pmtuError`) or it was not measured. */
  report: DirectionReport | null;
  /** Why the direction has no verdict, for 'error'. */
  error: { code: string; message: string } | null;
  throughput: ThroughputDirectionMatrix | null;
  jumboVerdict: JumboVerdictKind | null;
}

/**
 * One direction of a pair: forward = a → b, reverse = b → a. A pair whose sweep could not run
 * (`pmtuError`) is 'error' both ways; a pair without a path-MTU test, or the reverse of an echo
 * sweep, has no verdict there. Pure.
 */
export function pairDirection(result: PairResult, direction: Direction): PairDirectionView {
  const { sender, receiver } = pairEnds(result.pair, direction);
  const throughput = result.throughput?.directions.find((d) => d.direction === direction) ?? null;
  const common = { result, pair: result.pair, direction, sender, receiver, throughput, jumboVerdict: throughput?.jumboVerdict.verdict ?? null };
  if (result.pmtuError !== null) return { ...common, verdict: 'error', pathMtu: null, report: null, error: result.pmtuError };
  const report = result.pmtu === null ? null : direction === 'forward' ? result.pmtu.forward : result.pmtu.reverse;
  if (report === null) return { ...common, verdict: null, pathMtu: null, report: null, error: null };
  if (report.verdict === 'error') return { ...common, verdict: 'error', pathMtu: null, report, error: report.error };
  return { ...common, verdict: report.verdict, pathMtu: report.pathMtu, report, error: null };
}

/** The directions of a pair that have a path-MTU outcome (a verdict or 'error'), forward first. */
export function pairDirections(result: PairResult): PairDirectionView[] {
  return DIRECTIONS.map((direction) => pairDirection(result, direction)).filter((d) => d.verdict !== null);
}
