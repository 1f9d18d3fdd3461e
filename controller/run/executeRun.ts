import { PathprobeError } from '../../proto/errorCodes.js';
import { assembleRunReport } from './assembleRunReport.js';
import { runPlan, type RunPlanInput } from './runPlan.js';
import type { RunReport } from './runModel.js';

/**
 * A run from start (or resume) to its stored end: measures, then marks the run done with its
 * report, or interrupted when `signal` stopped it. `stopNow` rejecting abandons the measurements
 * in flight at once (everything finished is already stored). Shared by `run` and `serve`.
 */
export async function executeRun(input: RunPlanInput & { stopNow?: Promise<never> }): Promise<RunReport> {
  const { plan, store, runId, progress, signal } = input;
  let report: RunReport;
  try {
    const measuring = runPlan(input);
    report = await (input.stopNow ? Promise.race([measuring, input.stopNow]) : measuring);
  } catch (error) {
    const stoppedCleanly = error instanceof PathprobeError && error.code === 'ERR_INTERRUPTED' && signal.aborted && error.message === 'interrupted';
    if (!stoppedCleanly) throw error;
    report = assembleRunReport({ runId, plan, store, status: 'interrupted' });
  } finally {
    progress.done();
  }
  if (report.status === 'interrupted') {
    store.markInterrupted(runId);
    return report;
  }
  store.finishRun(runId, { status: 'done', exitCode: report.exitCode, finishedAtMs: Date.now() });
  const done = assembleRunReport({ runId, plan, store, status: 'done' });
  // Kept with the run: `runs` lists its findings, baselines and diffs compare against it.
  store.saveReport(runId, done);
  return done;
}
