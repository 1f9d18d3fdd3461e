import { assembleRunReport } from '../run/assembleRunReport.js';
import type { RunReport } from '../run/runModel.js';
import type { RunStore } from '../store/RunStore.js';
import { diffRuns, type DiffOptions, type RunDiff } from './diffRuns.js';
import { planKeyOf } from './planKey.js';

/**
 * A stored run's report, rebuilt from its results exactly as `pathprobe report` does (a run still
 * marked running is reported as interrupted); null for an unknown run.
 */
export function storedRunReport(store: RunStore, runId: string): RunReport | null {
  const run = store.getRun(runId);
  if (!run) return null;
  const status = run.status === 'done' ? 'done' : 'interrupted';
  return assembleRunReport({ runId: run.runId, plan: run.plan, store, status });
}

/**
 * `run --compare baseline`: the diff of the baseline of `report`'s plan (keyed by planKeyOf) to
 * `report`. Null when the plan has no baseline, or when `report` is the baseline itself.
 */
export function compareWithBaseline(store: RunStore, report: RunReport, options: DiffOptions = {}): RunDiff | null {
  const baseline = store.getBaseline(planKeyOf(report.plan));
  if (!baseline || baseline.runId === report.runId) return null;
  const base = storedRunReport(store, baseline.runId);
  return base ? diffRuns(base, report, options) : null;
}
