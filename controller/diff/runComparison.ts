import type { RunDiff } from '../model/runDiff.js';
import type { RunReport } from '../model/runReport.js';

/** A run's diff against its baseline (or a named run), carried in the run's output. */
export type RunComparison = RunDiff & {
  /** The run compared with (= `base.runId`). */
  baselineRunId: string;
  /** How it was chosen: the plan's baseline, or a run named with `--compare RUN_ID`. */
  against: 'baseline' | 'run';
};

/**
 * What `run --json` prints and the store keeps: the run's report, and with `run --compare` its
 * diff against the baseline restricted to the run's pairs in scope (null when the plan has no
 * baseline; absent without --compare). A regression found there makes `exitCode` at least 1.
 */
export type ComparedRunReport = RunReport & { comparison?: RunComparison | null };
