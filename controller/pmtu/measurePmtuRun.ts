import pLimit from 'p-limit';
import { PathprobeError } from '../../proto/errorCodes.js';
import type { KindRun } from '../kinds/testKind.js';
import { measurePathMtu } from './measurePathMtu.js';
import { pmtuReport } from './pmtuReport.js';

/**
 * The path MTU of every pair in scope, `pmtuParallel` at a time, each stored the moment it exists.
 * A pair measured before (an interrupted run) is kept; a pair that failed to run before is tried again.
 */
export async function measurePmtuRun(run: KindRun): Promise<void> {
  const { plan, store, runId, clients, pairs, progress, signal } = run;
  const earlier = store.loadResults(runId)?.pmtu ?? new Map();
  progress.phase('pmtu', `path MTU of ${pairs.length} pairs, ${plan.concurrency.pmtuParallel} at a time`);
  const limit = pLimit(plan.concurrency.pmtuParallel);
  await Promise.all(pairs.map((pair) => limit(async () => {
    const stored = earlier.get(pair.id);
    if ((stored && 'report' in stored) || signal.aborted) return;
    const replace = stored !== undefined;
    const [from, to] = [clients.get(pair.a.agent)!, clients.get(pair.b.agent)!];
    let outcome: Parameters<typeof store.savePmtu>[2];
    try {
      const report = pmtuReport(await measurePathMtu({ from, to, fromAddress: pair.a.address, toAddress: pair.b.address, flows: plan.pmtu?.flows ?? 1 }));
      outcome = { report };
      progress.pmtu(pair, report);
    } catch (error) {
      const failure = PathprobeError.from(error);
      outcome = { error: { code: failure.code, message: failure.message } };
      progress.line(`${pair.id}: ${failure.message}`);
    }
    // Outside the try: a failure to store a measurement must not turn it into an error record.
    store.savePmtu(runId, pair.id, outcome, Date.now(), { replace });
  })));
}
