import type { Direction } from './direction.js';
import type { Pair } from './pair.js';
import type { JumboVerdictKind, PathVerdict } from './verdicts.js';

/* Verdicts rolled up pair → NIC → host → label value (e.g. switch=tor-1), as a run report carries them. */

/** How a set of pair directions came out. */
export interface VerdictTally {
  /** Path MTU directions counted, by verdict. */
  counts: Record<PathVerdict, number>;
  directions: number;
  pairs: number;
  worst: PathVerdict | null;
  /** Throughput jumbo verdicts of the same pairs, per direction. */
  jumbo: Record<JumboVerdictKind, number>;
}

export interface PairRollup {
  pairId: string;
  pair: Pair;
  forward: PathVerdict | null;
  reverse: PathVerdict | null;
  worst: PathVerdict | null;
  jumbo: Partial<Record<Direction, JumboVerdictKind | null>>;
}

export interface NicRollup {
  /** `agent/address` */
  endpoint: string;
  agent: string;
  address: string;
  tally: VerdictTally;
}

export interface HostRollup {
  agent: string;
  labels: Record<string, string>;
  tally: VerdictTally;
}

export interface LabelRollup {
  key: string;
  value: string;
  /** `key=value`, the scope findings use. */
  scope: string;
  agents: string[];
  /** Every pair with at least one end in the group. */
  tally: VerdictTally;
  /** Pairs with both ends in the group. */
  within: VerdictTally;
  /** Pairs with exactly one end in the group: their traffic enters or leaves through it. */
  crossing: VerdictTally;
}

export interface Rollup {
  total: VerdictTally;
  pairs: PairRollup[];
  nics: NicRollup[];
  hosts: HostRollup[];
  /** Per label key, then value, in plan order of first appearance. */
  labels: LabelRollup[];
}
