import pLimit from 'p-limit';
import { PathprobeError } from '../../proto/errorCodes.js';
import { cannotRunReason } from '../model/cannotRun.js';
import type { KindRun } from '../kinds/testKind.js';
import type { Pair } from '../model/pair.js';
import type { PmtuReport } from '../model/pmtuReport.js';
import type { PmtuOutcome } from '../model/runResults.js';
import { measurePathMtu } from './measurePathMtu.js';
import { pmtuReport } from './pmtuReport.js';

/** Directions of a report that the agents swept but the peer was too busy to answer. */
export function inconclusiveDirections(report: PmtuReport): number {
  return [report.forward, report.reverse].filter((d) => d !== null && d.verdict === 'error' && d.inconclusive !== undefined).length;
}

/** A direction that was measured is never traded for one that was not: only fewer unmeasured directions win. */
export function secondLookStands(first: PmtuReport, again: PmtuOutcome): boolean {
  return 'report' in again && inconclusiveDirections(again.report) < inconclusiveDirections(first);
}

/**
 * The path MTU of every pair in scope, `pmtuParallel` at a time, each stored the moment it exists.
 * A pair measured before (an interrupted run) is kept; a pair that failed to run before is tried again.
 *
 * Then a second look: a pair left inconclusive (a peer too slow to answer: on a host running many
 * sweeps at once, its responder can fall behind) is measured again, alone, once the crowd is
 * done. The second result replaces the first only when it leaves fewer directions inconclusive,
 * so a direction that was measured is never traded for one that was not.
 */
export async function measurePmtuRun(run: KindRun): Promise<void> {
  const { plan, store, runId, clients, pairs, progress, signal } = run;
  const earlier = (await store.loadResults(runId))?.pmtu ?? new Map<string, PmtuOutcome>();
  progress.phase('pmtu', `path MTU of ${pairs.length} pairs, ${plan.concurrency.pmtuParallel} at a time`);

  const measure = async (pair: Pair): Promise<PmtuOutcome> => {
    // An agent that said it cannot sweep is not asked to; the pair is tried again on --resume.
    const cannot = cannotRunReason(pair.a.agent, run.facts.get(pair.a.agent), 'pmtu') ?? cannotRunReason(pair.b.agent, run.facts.get(pair.b.agent), 'pmtu');
    if (cannot !== null) return { error: { code: 'ERR_PROBE_FAILED', message: cannot } };
    const [from, to] = [clients.get(pair.a.agent)!, clients.get(pair.b.agent)!];
    try {
      return { report: pmtuReport(await measurePathMtu({ from, to, fromAddress: pair.a.address, toAddress: pair.b.address, flows: plan.pmtu?.flows ?? 1 })) };
    } catch (error) {
      const failure = PathprobeError.from(error);
      return { error: { code: failure.code, message: failure.message } };
    }
  };
  const show = (pair: Pair, outcome: PmtuOutcome): void => {
    if ('report' in outcome) progress.pmtu(pair, outcome.report);
    else progress.line(`${pair.id}: ${outcome.error.message}`);
  };

  // Only the reports a second look may replace are kept: a run of thousands of pairs holds no more.
  const inconclusive = new Map<string, PmtuReport>();
  const noteInconclusive = (pairId: string, outcome: PmtuOutcome): void => {
    if ('report' in outcome && inconclusiveDirections(outcome.report) > 0) inconclusive.set(pairId, outcome.report);
    else inconclusive.delete(pairId);
  };
  for (const [pairId, outcome] of earlier) noteInconclusive(pairId, outcome);
  const limit = pLimit(plan.concurrency.pmtuParallel);
  // The first result the store refuses (a full disk) stops the run: no further pair starts, the
  // ones in flight end and are stored if the store still takes them, then that failure is thrown.
  let storeFailure: { error: unknown } | null = null;
  await Promise.all(pairs.map((pair) => limit(async () => {
    const stored = earlier.get(pair.id);
    if ((stored && 'report' in stored) || signal.aborted || storeFailure) return;
    const outcome = await measure(pair);
    noteInconclusive(pair.id, outcome);
    // Never turned into an error record of the pair: a failure to store is not a measurement.
    // Stored before it is shown: a line on the terminal is a result the store holds.
    try {
      await store.savePmtu(runId, pair.id, outcome, Date.now(), { replace: stored !== undefined });
    } catch (error) {
      storeFailure ??= { error };
      return;
    }
    show(pair, outcome);
  })));
  if (storeFailure) throw (storeFailure as { error: unknown }).error;

  for (const pair of pairs) {
    const first = inconclusive.get(pair.id);
    if (signal.aborted || first === undefined) continue;
    progress.line(`${pair.id}: a peer was too busy to answer; measuring it again alone`);
    const again = await measure(pair);
    if (secondLookStands(first, again)) {
      await store.savePmtu(runId, pair.id, again, Date.now(), { replace: true });
      show(pair, again);
    } else {
      progress.line(`${pair.id}: the second look was no better${'error' in again ? ` (${again.error.message})` : ''}; the first is kept`);
    }
  }
}
