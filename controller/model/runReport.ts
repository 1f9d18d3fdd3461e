import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { StoredCell } from './cellRecord.js';
import type { Pair } from './pair.js';
import type { Plan } from './plan.js';
import type { PmtuReport } from './pmtuReport.js';
import type { Rollup } from './rollup.js';
import type { ThroughputMatrix } from './throughputMatrix.js';

/** What `run --json` prints and `report` rebuilds: every pair's results and what they add up to. */
export const RUN_REPORT_SCHEMA = 'pathprobe.run/v1';

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

export type RunStatus = 'running' | 'done' | 'interrupted';

export interface RunReport {
  schema: typeof RUN_REPORT_SCHEMA;
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  plan: Plan;
  facts: Record<string, AgentFactsResponse | { error: string }>;
  pairs: PairResult[];
  /** Verdicts rolled up pair → NIC → host → label value (e.g. switch=tor-1). */
  rollup: Rollup;
  expectations: ExpectationResult[];
  findings: Finding[];
  /** 3 when something could not be measured, 1 when an expectation or a check failed, else 0. */
  exitCode: number;
}
