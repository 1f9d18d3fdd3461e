import { PathprobeError } from '../../proto/errorCodes.js';
import { aggregateRun } from '../aggregate/aggregateRun.js';
import { diffRuns } from '../diff/diffRuns.js';
import { planKeyOf } from '../diff/planKey.js';
import type { ComparedRunReport, RunComparison } from '../diff/runComparison.js';
import type { DiffOptions } from '../model/runDiff.js';
import type { Plan } from '../model/plan.js';
import type { RunReport } from '../model/runReport.js';
import { reportInScope } from '../plan/onlyThrough.js';
import type { RunStore } from '../store/RunStore.js';
import type { RunInterrupt } from './runInterrupt.js';
import { runPlan, type RunPlanInput } from './runPlan.js';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK } from '../model/exitCodes.js';

/*
 * The run service: start or resume a run, measure it to its stored end (stopping in two stages),
 * rebuild any stored run's report, and compare a run with its baseline. `run`, `serve` and `demo`
 * go through it; commands only parse flags, call it and print.
 */

export function resumeHint(runId: string, store: RunStore): string {
  return `resume with: pathprobe run --resume ${runId} --db ${store.location}`;
}

/** A new run of `plan`, stored before anything is contacted. */
export async function startRun(store: RunStore, plan: Plan, planPath: string | null): Promise<{ runId: string; plan: Plan }> {
  return { runId: await store.createRun({ plan, planPath, startedAtMs: Date.now() }), plan };
}

/**
 * An interrupted run, or a finished one that left something unmeasured (exit 3: an agent was
 * silent or gone), to be measured to its end with the plan (and `--only-through`) it started with.
 */
export async function resumeRun(store: RunStore, runId: string): Promise<{ runId: string; plan: Plan }> {
  const run = await store.requireRun(runId);
  if (run.status === 'done' && run.exitCode !== EXIT_CANNOT_RUN) {
    throw new PathprobeError('ERR_USAGE', `run ${runId} already finished with everything measured (exit ${run.exitCode}); nothing to resume`);
  }
  await store.resumeRun(runId);
  return { runId: run.runId, plan: run.plan };
}

/**
 * A stored run's report, rebuilt from its results: a run still marked running (its controller
 * died) is reported as interrupted. ERR_USAGE for a run the store does not hold.
 */
export async function storedRunReport(store: RunStore, runId: string): Promise<RunReport> {
  const run = await store.requireRun(runId);
  const results = (await store.loadResults(runId))!;
  const status = run.status === 'done' ? 'done' : 'interrupted';
  return aggregateRun({ runId, plan: run.plan, results, status, startedAtMs: run.startedAtMs, finishedAtMs: run.finishedAtMs });
}

/**
 * Measures a run from start (or resume) to its stored end: marks it done with its report, or
 * interrupted when `interrupt` stopped it. After `interrupt.stopAtOnce` it rejects with that
 * ERR_INTERRUPTED at once; everything finished is already stored.
 */
export async function executeRun(input: Omit<RunPlanInput, 'signal'> & { interrupt: RunInterrupt }): Promise<RunReport> {
  const { store, runId, progress, interrupt } = input;
  try {
    await Promise.race([runPlan({ ...input, signal: interrupt.signal }), interrupt.stopNow]);
  } catch (error) {
    if (error instanceof PathprobeError && error.code === 'ERR_INTERRUPTED') await store.markInterrupted(runId);
    if (error instanceof PathprobeError && error.code === 'ERR_STORE') {
      // Nothing new may start (its result could not be stored either). Marking the run interrupted
      // is itself a write the store may refuse: a run left 'running' is resumed and reported alike.
      interrupt.stopAfterInFlight();
      await store.markInterrupted(runId).catch(() => {});
    }
    throw error;
  } finally {
    progress.done();
  }
  if (interrupt.signal.aborted) {
    await store.markInterrupted(runId);
    return storedRunReport(store, runId);
  }
  const measured = await storedRunReport(store, runId);
  const finishedAtMs = Date.now();
  // Only status and end time change with finishing: no second pass over the store.
  const done: RunReport = { ...measured, status: 'done', finishedAt: new Date(finishedAtMs).toISOString() };
  // Kept with the run (`runs` lists its findings, baselines and diffs compare against it), in the
  // same transaction as its end: a store that refuses the report leaves the run resumable.
  await store.finishRun(runId, { status: 'done', exitCode: measured.exitCode, finishedAtMs }, done);
  return done;
}

const NO_BASELINE_NOTE = 'no baseline for this plan; set one with pathprobe baseline set RUN_ID';

/**
 * `--compare baseline|RUN_ID`: the diff of the plan's baseline (or of the named run) to `report`,
 * over the pairs `report` had in scope: with `--only-through`, the base run's pairs outside it are
 * left out, so they never show as removed. `none` says why there is nothing to compare with.
 */
export async function compareRun(store: RunStore, report: RunReport, against: string, options: DiffOptions = {}): Promise<{ comparison: RunComparison } | { none: string }> {
  const byBaseline = against === 'baseline';
  const baseRunId = byBaseline ? (await store.getBaseline(planKeyOf(report.plan)))?.runId : against;
  if (!baseRunId) return { none: NO_BASELINE_NOTE };
  if (baseRunId === report.runId) return { none: `run ${report.runId} is itself the baseline of this plan; nothing to compare with` };
  if (!(await store.getRun(baseRunId))) {
    return { none: `the baseline run ${baseRunId} is no longer in ${store.location}; set another with pathprobe baseline set RUN_ID` };
  }
  const diff = diffRuns(reportInScope(await storedRunReport(store, baseRunId), report.plan), report, options);
  return { comparison: { ...diff, baselineRunId: baseRunId, against: byBaseline ? 'baseline' : 'run' } };
}

/**
 * The run with its comparison, stored with it: a regression fails the run (exit 1, for cron and
 * CI) even when every expectation passed.
 */
export async function withComparison(store: RunStore, report: RunReport, compared: { comparison: RunComparison } | { none: string }): Promise<ComparedRunReport> {
  const result: ComparedRunReport = 'none' in compared
    ? { ...report, comparison: null }
    : { ...report, comparison: compared.comparison, exitCode: compared.comparison.regressed && report.exitCode === EXIT_OK ? EXIT_FINDING : report.exitCode };
  await store.saveReport(report.runId, result);
  return result;
}
