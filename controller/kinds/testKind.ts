import type { Registry } from 'prom-client';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { AgentClient } from '../agentClient/agentClient.js';
import type { Pair } from '../model/pair.js';
import type { PairDirectionView } from '../model/pairDirections.js';
import type { Plan, TestKindName } from '../model/plan.js';
import type { DiffChange, DiffOptions } from '../model/runDiff.js';
import type { PairResult, RunReport } from '../model/runReport.js';
import type { SafeHtml } from '../render/html.js';
import type { RunProgress } from '../run/runProgress.js';
import type { RunStore } from '../store/RunStore.js';

/*
 * What a test kind (path MTU, throughput, ...) brings to a run. Each kind is one folder that
 * implements this and registers itself in testKinds.ts; runs, estimates, diffs, metrics and the
 * HTML report loop over the registered kinds and know nothing else about them.
 */

/** Everything a kind needs to measure its part of a run. Results go to the store the moment they exist. */
export interface KindRun {
  plan: Plan;
  runId: string;
  store: RunStore;
  clients: ReadonlyMap<string, AgentClient>;
  /** The pairs in scope, and the throughput rounds over them (no host in two tests at once). */
  pairs: readonly Pair[];
  rounds: readonly (readonly Pair[])[];
  facts: ReadonlyMap<string, AgentFactsResponse>;
  progress: RunProgress;
  /** Aborted by Ctrl-C: no new measurement starts; everything measured is already stored. */
  signal: AbortSignal;
}

export interface KindEstimateInput {
  pairs: readonly Pair[];
  rounds: readonly (readonly Pair[])[];
  plan: Pick<Plan, 'throughput' | 'concurrency' | 'pmtu'>;
  /** Link speed in Mbit/s keyed by agent name, or by `agent/address` for one NIC (that wins). */
  linkSpeedMbps?: Readonly<Record<string, number | null | undefined>>;
  /** Frame-size rows per direction: a number for every pair, or per pair. */
  rowsPerDirection?: number | ((pair: Pair) => number);
}

export interface KindEstimate {
  durationMs: number;
  /** Upper bound of the bytes the kind puts on the wire, over what is known. */
  bytes: number;
  /** Pieces of the one-line estimate said before its duration, e.g. "5 throughput rounds". */
  counts: string[];
  /** Pieces said after it, e.g. "at most 540 GB". */
  costs: string[];
  /** Kind-specific figures (rounds, cells per pair, ...) for callers that need them. */
  details: Record<string, number>;
}

export interface DirectionDiffInput {
  pairId: string;
  base: PairDirectionView;
  next: PairDirectionView;
  options: DiffOptions;
}

export interface KindHtmlSection {
  /** The section's stable id (also its anchor and data-testid). */
  id: string;
  /** Its entry in the table of contents. */
  toc: string;
  render(report: RunReport): SafeHtml;
}

export interface KindMetrics {
  /** Replaces the kind's per-pair series with those of a finished run; `results` holds only pairs whose both ends are in the plan, so labels stay bounded. */
  record(results: readonly PairResult[]): void;
}

export interface TestKind {
  readonly name: TestKindName;
  /** Kinds whose results this one needs first, e.g. throughput needs the path MTU of each pair. */
  readonly requires: readonly TestKindName[];
  estimate(input: KindEstimateInput): KindEstimate;
  measure(run: KindRun): Promise<void>;
  diffDirection(input: DirectionDiffInput): DiffChange[];
  readonly htmlSections: readonly KindHtmlSection[];
  createMetrics(registry: Registry): KindMetrics;
}
