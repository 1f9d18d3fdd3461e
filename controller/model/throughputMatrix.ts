import type { IperfFailureClass, IperfRunResult } from '../../proto/throughput.js';
import type { Direction } from './direction.js';
import type { JumboVerdictKind, PmtuVerdict } from './verdicts.js';

/*
 * What a throughput matrix is made of: rows of frame sizes, cells of stream counts, the sweet
 * spot of each row and the jumbo verdict of each direction. The throughput kind computes them;
 * runs, diffs and reports read them.
 */

/** 4 or 6: which IP header (and so which MSS) a row's packets carry. */
export type IpFamily = 4 | 6;

/** Which frame size a row of the matrix measures. */
export type ThroughputRowKind = '1500' | 'jumbo' | 'path';

export interface ThroughputRow {
  row: ThroughputRowKind;
  /** The `-M` value for iperf3; null = the kernel's MSS from the NIC MTU (what applications really get). */
  mssBytes: number | null;
  /** The IP MTU this row's packets have: 1500, the smaller NIC MTU, or the path MTU. */
  mtuBytes: number;
  /** For tables: '1500', 'jumbo 9000', 'path 4470'. */
  label: string;
}

export interface ThroughputRunFailure {
  class: IperfFailureClass;
  message: string;
  /** The port of the iperf3 process that failed. */
  port: number | null;
}

/** One repeat of one cell, summed over its iperf3 processes. */
export interface ThroughputRunSummary {
  /** True only when every process finished without a failure and reported a received rate. */
  ok: boolean;
  /** The failure that decides the run: a stall first (it is a verdict about the path), else the first one. */
  failure: ThroughputRunFailure | null;
  failureClass: IperfFailureClass | null;
  /** Every process failure, in process order. */
  failures: ThroughputRunFailure[];
  processes: number;
  streams: number;
  /** Streams whose bytes left the sender and never arrived; more than 0 and fewer than `streams` is a partial stall. */
  stalledStreams: number;
  /** Sum of the processes' `sum_received` rates; null when none reported one. */
  bitsPerSecondReceived: number | null;
  bytesSent: number | null;
  bytesReceived: number | null;
  retransmits: number | null;
  /** Highest client (`host_total`) CPU of any process, % of one core. */
  senderCpuPercent: number | null;
  /** Highest server (`remote_total`) CPU of any process, % of one core. */
  receiverCpuPercent: number | null;
  maxCorePercent: number | null;
  toolBound: boolean;
  /** Why the run is tool-bound, for explanations; null when it is not. */
  toolBoundReason: string | null;
  /** Sender-side interval rates summed across processes by index (up to the shortest series). */
  intervalBitsPerSecond: number[];
  /** Coefficient of variation of those summed intervals: 0.03 = steady; null below two intervals. */
  intervalCov: number | null;
  mssBytesObserved: number | null;
  elapsedMs: number;
}

/** Why a cell was not run: its row already stalled, so larger jumbo cells would only hang (docs/iperf3.md, "Stalls"). */
export type ThroughputSkipReason = 'stalled-row';

/** An agent or transport error in place of a run result: `{ code, message }` as it crossed the wire. */
export interface ThroughputRunError {
  error: { code: string; message: string };
}

export interface ThroughputRunSkipped {
  skipped: ThroughputSkipReason;
}

/** What one repeat of one cell produced. */
export type ThroughputRunOutcome = IperfRunResult | ThroughputRunError | ThroughputRunSkipped;

/**
 * - measured: at least one repeat produced a measurement
 * - failed: iperf3 ran but no repeat produced a measurement (stalled, refused, ...)
 * - error: only agent/transport errors
 * - skipped: not run on purpose (see `skipped`)
 * - not-run: no repeat was given for this cell
 */
export type ThroughputCellStatus = 'measured' | 'failed' | 'error' | 'skipped' | 'not-run';

export interface ThroughputCellRun {
  repeat: number;
  summary: ThroughputRunSummary;
}

export interface ThroughputCell {
  row: ThroughputRowKind;
  streams: number;
  status: ThroughputCellStatus;
  repeats: number;
  okRepeats: number;
  /** Repeats where iperf3 ran and failed. */
  failedRepeats: number;
  /** Repeats lost to agent/transport errors. */
  errorRepeats: number;
  skippedRepeats: number;
  /** How many failed repeats had each class (the class that decided each run). */
  failureClasses: Partial<Record<IperfFailureClass, number>>;
  failures: Array<{ repeat: number; class: IperfFailureClass; message: string }>;
  errors: Array<{ repeat: number; code: string; message: string }>;
  skipped: ThroughputSkipReason | null;

  /** Median received rate of the ok repeats. */
  medianBitsPerSecond: number | null;
  minBitsPerSecond: number | null;
  maxBitsPerSecond: number | null;
  /** (max − min) / median over the ok repeats: 0.02 = repeats within 2 %. */
  relativeSpread: number | null;
  medianRetransmits: number | null;
  /** Median of retransmits / full-size segments sent (bytes sent / payload per segment at this row's MTU). */
  medianRetransmitRate: number | null;
  medianSenderCpuPercent: number | null;
  medianReceiverCpuPercent: number | null;
  /** Median coefficient of variation of the per-interval rates. */
  medianIntervalCov: number | null;
  /** Some repeat measured iperf3 or a CPU core rather than the network (docs/iperf3.md, "What the numbers mean"). */
  toolBound: boolean;
  toolBoundReason: string | null;
  /** Some repeat stalled: bytes left the sender and none arrived (docs/iperf3.md, "Stalls"). */
  stalled: boolean;
  /** The repeat with the most stalled streams, e.g. 1 of 4; null when no stream stalled. */
  stalledStreams: { stalled: number; of: number } | null;
  /** Some repeat stalled only some of its streams: one of several paths caps frames. */
  partialStall: boolean;
  /** Distinct MSS values the kernel used, as sampled by the sending agent. */
  mssBytesObserved: number[];

  /** median / link speed; null when the link speed is unknown. */
  linkEfficiency: number | null;
  /** The most TCP payload this row's MTU lets the link carry; null when the link speed is unknown. */
  maxGoodputBitsPerSecond: number | null;
  /** median / maxGoodputBitsPerSecond. */
  goodputEfficiency: number | null;

  runs: ThroughputCellRun[];
}

/**
 * - measured: chosen among cells that measured the network
 * - tool-bound-only: every cell with a measurement was tool-bound; the choice describes the hosts
 * - none: no cell produced a measurement
 */
export type SweetSpotBasis = 'measured' | 'tool-bound-only' | 'none';

/** tool-bound: measured the hosts; no-measurement: ran (or errored) without an ok repeat; skipped / not-run: never ran. */
export type SweetSpotExclusionReason = 'tool-bound' | 'no-measurement' | 'skipped' | 'not-run';

export interface SweetSpotDegradation {
  /** The first stream count that degrades. */
  streams: number;
  reason: 'throughput' | 'retransmits';
  bitsPerSecond: number;
  retransmits: number | null;
}

export interface ThroughputSweetSpot {
  row: ThroughputRowKind;
  basis: SweetSpotBasis;
  /** The smallest stream count whose median is within `withinFraction` of the best; null for basis 'none'. */
  streams: number | null;
  bitsPerSecond: number | null;
  bestStreams: number | null;
  bestBitsPerSecond: number | null;
  /** The last stream count before more streams hurt (lose throughput or multiply retransmits); null if none does. */
  degradesBeyond: number | null;
  degradation: SweetSpotDegradation | null;
  /** Stream counts below the sweet spot where some repeats reached the best while the median did not (e.g. ECMP hashing). */
  intermittent: Array<{ streams: number; reached: number; of: number }>;
  excluded: Array<{ streams: number; reason: SweetSpotExclusionReason }>;
  /** Stream counts left out because some of their streams stalled while others flowed. */
  partialStalls: number[];
  explanation: string;
}

export interface JumboComparisonSide {
  streams: number;
  bitsPerSecond: number;
  relativeSpread: number | null;
  toolBound: boolean;
}

export interface ThroughputJumboVerdict {
  /** Null when there is nothing to compare; `reason` says why. */
  verdict: JumboVerdictKind | null;
  reason: string | null;
  jumboMtuBytes: number | null;
  /** The best 1500 cell (tool-bound cells only when no other measured). */
  base: JumboComparisonSide | null;
  jumbo: JumboComparisonSide | null;
  /** (jumbo − 1500) / 1500 of the best medians. */
  gain: number | null;
  /** The same in percent, one decimal. */
  gainPercent: number | null;
  /** The larger relative spread of the two compared cells. */
  noise: number | null;
  /** The difference that had to be exceeded: max(2 %, noise). */
  threshold: number | null;
  /** The gain header overhead alone allows on a link-limited path (IPv4 1500 → 9000: ≈ 5.2 %). */
  headerOnlyGain: number | null;
  /** True when a compared cell was tool-bound: the comparison is about host CPU, not the link. */
  toolBound: boolean;
  /** Stream counts of jumbo cells that stalled (or were skipped because the row stalled). */
  stalledStreams: number[];
  /**
   * For jumbo-stalled: 'full' when no jumbo stream got through, 'partial' when some streams or
   * cells flowed while others stalled (one of several paths caps frames); null otherwise.
   */
  stall: 'full' | 'partial' | null;
  pathMtuVerdict: PmtuVerdict | null;
  /**
   * Whether the path MTU sweep tells the same story. A stall agrees with `silent-drop` and
   * `mtu-mismatch`, not with `ok` or `frag-needed`; a working jumbo row disagrees with a
   * `silent-drop` below its MTU. Null when there is no sweep (or it proved nothing).
   */
  agreesWithPathMtu: boolean | null;
  explanation: string;
}

export interface ThroughputMatrixRow {
  row: ThroughputRow;
  /** One cell per column of `streams`, in the same order. */
  cells: ThroughputCell[];
  sweetSpot: ThroughputSweetSpot;
}

export interface ThroughputDirectionMatrix {
  direction: Direction;
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
/** One repeat of one cell as the scheduler recorded it. */
export interface ThroughputMatrixRun {
  direction: Direction;
  row: ThroughputRowKind;
  streams: number;
  repeat: number;
  result: ThroughputRunOutcome;
}
