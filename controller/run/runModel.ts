import type { PmtuReport } from '../pmtu/pmtuReport.js';
import type { CellRecord } from '../throughput/measureThroughput.js';
import type { ThroughputMatrix } from '../throughput/throughputMatrix.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { Rollup } from '../aggregate/rollup.js';
import type { RunDiff } from '../diff/diffRuns.js';

/*
 * The shared vocabulary of a commissioning run: what a plan says, what one pair is, and what a run
 * produces. Plan parsing, scheduling, storage, diagnosis and reports all speak these types.
 */

export type TestKind = 'pmtu' | 'throughput';

export interface PlanAgent {
  name: string;
  url: string;
  /** Data-plane addresses to test on this host; 'all' = every non-loopback address its agent reports. */
  addresses: string[] | 'all';
  /** Free-form labels such as rack, switch, tor: the roll-up and culprit inference group by them. */
  labels: Record<string, string>;
}

export interface PlanExpectations {
  /** Path MTU expected in every direction. */
  pathMtu?: number;
  /** Best throughput cell / link speed, per direction, must reach this. */
  minLinkEfficiency?: number;
  maxRetransmitsPerGB?: number;
}

export interface Plan {
  /** Absolute path of the token file (resolved against the plan file's directory). */
  tokenFile: string;
  agents: PlanAgent[];
  expect: PlanExpectations;
  tests: TestKind[];
  throughput: { streams: number[]; durationMs: number; repeats: number };
  concurrency: {
    /** How many path-MTU pair sweeps run at once. */
    pmtuParallel: number;
    /** 'rounds': disjoint pairs at once (no host in two tests); 'serial': one pair at a time. */
    throughput: 'rounds' | 'serial';
  };
  /**
   * `run --only-through switch=tor-b12`: only the pairs crossing this label value (one end has it,
   * the other not) are tested. Not part of a plan file: set by the CLI and stored with the run's
   * plan, so `--resume` keeps it. Absent = every pair. Not part of the plan key (planKey.ts): a
   * restricted run shares the baseline of its plan.
   */
  onlyThrough?: LabelSelector;
}

/** One label value, e.g. `{ key: 'switch', value: 'tor-b12' }` for `switch=tor-b12`. */
export interface LabelSelector {
  key: string;
  value: string;
}

/** One tested NIC: an agent and one of its data-plane addresses. */
export interface Endpoint {
  agent: string;
  address: string;
}

/** An unordered pair of endpoints, `a` first in plan order; forward = a → b. */
export interface Pair {
  id: string;
  a: Endpoint;
  b: Endpoint;
}

export function pairId(a: Endpoint, b: Endpoint): string {
  return `${a.agent}/${a.address}~${b.agent}/${b.address}`;
}

/** A throughput cell as stored, with when it ran (to prove no host was in two tests at once). */
export interface StoredCell {
  pairId: string;
  record: CellRecord;
  startedAtMs: number;
  endedAtMs: number;
}

export interface PairResult {
  pair: Pair;
  pmtu: PmtuReport | null;
  /** Error of the pair's path-MTU measurement when it could not run at all. */
  pmtuError: { code: string; message: string } | null;
  cells: StoredCell[];
  throughput: ThroughputMatrix | null;
}

export type FindingKind =
  | 'path-mtu' | 'culprit-switch' | 'jumbo-stalled' | 'jumbo-slower' | 'expectation' | 'unreachable' | 'cell-failed';

export interface Finding {
  kind: FindingKind;
  severity: 'fail' | 'warn';
  /** What it is about: a pair id, an agent name, or `label=value` for a switch. */
  scope: string;
  title: string;
  explanation: string;
  fix: string | null;
  /** Commands a user can paste to see it themselves. */
  repro: string[];
}

export interface ExpectationResult {
  name: string;
  expected: string;
  passed: number;
  failed: number;
  pass: boolean;
  failures: string[];
}

export interface RunReport {
  schema: 'pathprobe.run/v1';
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'done' | 'interrupted';
  plan: Plan;
  facts: Record<string, AgentFactsResponse | { error: string }>;
  pairs: PairResult[];
  /** Verdicts rolled up pair → NIC → host → label value (e.g. switch=tor-1). */
  rollup: Rollup;
  expectations: ExpectationResult[];
  findings: Finding[];
  /**
   * Includes a regression found by `comparison` (then at least 1). Without `--compare` it is
   * the run's own exit code as stored.
   */
  exitCode: number;
  /**
   * `run --compare baseline|RUN_ID`: the diff of that run to this one, restricted to this run's
   * pairs in scope (`plan.onlyThrough`); null when the plan has no baseline; absent without --compare.
   */
  comparison?: RunComparison | null;
}

/** A run's diff against its baseline (or a named run), carried in the run's report. */
export type RunComparison = RunDiff & {
  /** The run compared with (= `base.runId`). */
  baselineRunId: string;
  /** How it was chosen: the plan's baseline, or a run named with `--compare RUN_ID`. */
  against: 'baseline' | 'run';
};
