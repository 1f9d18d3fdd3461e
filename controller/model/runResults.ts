import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { StoredCell } from './cellRecord.js';
import type { Plan } from './plan.js';
import type { PmtuReport } from './pmtuReport.js';
import type { RunStatus } from './runReport.js';

/* What a store holds of one run: the facts, each pair's path-MTU outcome and every throughput cell, as measured. */


export type StoredFacts = AgentFactsResponse | { error: string };

export type PmtuOutcome = { report: PmtuReport } | { error: { code: string; message: string } };

export interface StoredRun {
  runId: string;
  plan: Plan;
  planPath: string | null;
  status: RunStatus;
  startedAtMs: number;
  finishedAtMs: number | null;
  exitCode: number | null;
}

export interface RunResults {
  facts: Record<string, StoredFacts>;
  /** In measurement order. */
  pmtu: Map<string, PmtuOutcome>;
  /** In measurement order (start time, then save order). */
  cells: StoredCell[];
}
