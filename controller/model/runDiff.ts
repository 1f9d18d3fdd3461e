import type { Direction } from './direction.js';
import type { Pair } from './pair.js';
import type { RunStatus } from './runReport.js';
import type { ThroughputCellStatus } from './throughputMatrix.js';
import type { JumboVerdictKind, PathVerdict } from './verdicts.js';

/*
 * What changed between two runs of (usually) the same plan, per pair and direction: path MTU,
 * verdict, throughput beyond noise, sweet spot, jumbo verdict, and the environment changes that may
 * explain them. `diff --json` prints a RunDiff; each test kind contributes its own changes.
 */

export const RUN_DIFF_SCHEMA = 'pathprobe.diff/v1';

export interface DiffOptions {
  /** Default 0.10 = 10 %. */
  throughputThreshold?: number;
}

export type EnvironmentKind =
  | 'nic-mtu' | 'nic-speed' | 'nic-driver' | 'nic-addresses' | 'nic-name' | 'agent-version' | 'kernel' | 'iperf-version';

export type ChangeKind =
  | 'pair-added' | 'pair-removed'
  | 'path-mtu' | 'verdict'
  | 'throughput' | 'cell-status' | 'sweet-spot' | 'jumbo-verdict'
  | EnvironmentKind;

export type ChangeCategory = 'pair' | 'path-mtu' | 'throughput' | 'environment';

export type DiffValue = string | number | null;

/** One side of a compared throughput cell. */
export interface CellSide {
  status: ThroughputCellStatus | 'absent';
  okRepeats: number;
  medianBitsPerSecond: number | null;
  minBitsPerSecond: number | null;
  maxBitsPerSecond: number | null;
  toolBound: boolean;
}

/**
 * - beyond-noise: the medians moved more than the threshold and the repeats' [min, max] ranges do not overlap
 * - within-noise: the medians moved more than the threshold but the ranges overlap
 * - single-sample: one side has fewer than 2 ok repeats: shown, never judged
 * - status: the cell measured on one side only (failed, errored, skipped or absent on the other)
 */
export type CellJudgement = 'beyond-noise' | 'within-noise' | 'single-sample' | 'status';

export interface ThroughputCellChange {
  row: string;
  streams: number;
  before: CellSide;
  after: CellSide;
  /** (after − before) / before of the medians; null unless both measured. */
  relativeChange: number | null;
  rangesOverlap: boolean | null;
  judgement: CellJudgement;
}

/**
 * A direction's flow classes on both sides (a 'path-mtu' change with subject 'flow classes'):
 * the flows split differently, whether or not the safe path MTU moved.
 */
export interface FlowClassesChange {
  /** Smallest path MTU first; null = the flows that got no answer. */
  before: { pathMtuBytes: number | null; flows: number; share: number }[];
  after: { pathMtuBytes: number | null; flows: number; share: number }[];
  /** Path MTUs of classes only the newer run has, and only the older one had. */
  appeared: (number | null)[];
  disappeared: (number | null)[];
  /** The largest change of one class's share (0..1), a class absent on one side counting as 0. */
  largestShareChange: number;
}

export interface DiffChange {
  pairId: string;
  /** Null for a change of the whole pair (added, removed). */
  direction: Direction | null;
  kind: ChangeKind;
  category: ChangeCategory;
  /** What inside the pair/direction: e.g. 'jumbo P4', '1500 row', 'h2 ens1f0 (198.18.1.12)', 'h1'; null for the direction itself. */
  subject: string | null;
  before: DiffValue;
  after: DiffValue;
  /** A real change, not noise: every path-MTU, verdict and environment change; throughput only beyond noise and threshold. */
  significant: boolean;
  /** This change makes the diff regressed. */
  regression: boolean;
  explanation: string;
  cell?: ThroughputCellChange;
  flowClasses?: FlowClassesChange;
}

export interface DirectionSnapshot {
  /** A path-MTU verdict, 'error' when it could not be measured, null when it was not tested. */
  verdict: PathVerdict | null;
  pathMtu: number | null;
  jumboVerdict: JumboVerdictKind | null;
}

export interface DirectionDiff {
  direction: Direction;
  route: string;
  before: DirectionSnapshot;
  after: DirectionSnapshot;
  /** Performance changes first, then the environment changes that may explain them. */
  changes: DiffChange[];
  regressed: boolean;
}

export interface PairDiff {
  pairId: string;
  pair: Pair;
  status: 'compared' | 'added' | 'removed';
  /** Changes of the whole pair (added / removed). */
  changes: DiffChange[];
  /** Both directions for a compared pair, none for an added or removed one. */
  directions: DirectionDiff[];
  changed: boolean;
  regressed: boolean;
}

/** An environment change of one host (address null) or of the NIC holding one tested address. */
export interface EnvironmentChange {
  host: string;
  address: string | null;
  nic: string | null;
  kind: EnvironmentKind;
  before: DiffValue;
  after: DiffValue;
  explanation: string;
  /** Pairs (of either run) with this host or address at one end. */
  pairs: string[];
}

export interface RunRef {
  runId: string;
  startedAt: string;
  status: RunStatus;
}

export interface RunDiff {
  schema: typeof RUN_DIFF_SCHEMA;
  base: RunRef;
  next: RunRef;
  throughputThreshold: number;
  regressed: boolean;
  /** Every pair of either run: compared ones in the next run's order, then removed ones. */
  pairs: PairDiff[];
  /** Every environment change, whether or not a pair shows a change it may explain. */
  environment: EnvironmentChange[];
  /** Flat: pair-level changes, then each direction's changes (environment ones attached where they may explain something). */
  changes: DiffChange[];
  summary: {
    pairsCompared: number;
    pairsAdded: number;
    pairsRemoved: number;
    pairsChanged: number;
    pairsUnchanged: number;
    changes: number;
    significant: number;
    regressions: number;
  };
}
