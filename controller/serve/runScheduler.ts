import { Cron } from 'croner';
import { PathprobeError } from '../../proto/errorCodes.js';
import { createRunInterrupt, type RunInterrupt } from '../run/runInterrupt.js';
import { compareRun, executeRun, resumeHint } from '../run/runService.js';
import { createRunProgress, type RunProgress } from '../run/runProgress.js';
import type { RunStore } from '../store/RunStore.js';
import { alertSummary, postWebhook, type PostWebhookOptions, type WebhookOutcome } from './postWebhook.js';
import type { RunResult, ServeMetrics } from './serveMetrics.js';
import { scheduleIntervalSeconds } from './scheduleInterval.js';
import type { Plan } from '../model/plan.js';
import type { RunDiff } from '../model/runDiff.js';
import type { RunReport } from '../model/runReport.js';
import { EXIT_FINDING, EXIT_OK } from '../model/exitCodes.js';

export type ExecuteRun = typeof executeRun;

/** Throws a one-line ERR_USAGE when croner does not accept `pattern` (5 fields, or 6 with seconds). */
export function validateCron(pattern: string): void {
  try {
    new Cron(pattern, { paused: true }).stop();
  } catch (error) {
    throw new PathprobeError('ERR_USAGE', `--cron ${JSON.stringify(pattern)} is not a cron schedule such as "0 2 * * *": ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

export interface RunSchedulerOptions {
  plan: Plan;
  /** Stored with each run, as `run` stores its plan file. */
  planPath: string | null;
  store: RunStore;
  token: string | null;
  cron: string;
  /** Each start waits a random 0..jitterMs first, so many controllers do not hit the fabric at once. */
  jitterMs: number;
  metrics: ServeMetrics;
  webhook?: ({ url: string } & Pick<PostWebhookOptions, 'timeoutMs' | 'tries' | 'backoffMs'>) | null;
  log?: (line: string) => void;
  /** Defaults: executeRun, a comparison with the plan's baseline, plain progress lines on stderr, Math.random. */
  execute?: ExecuteRun;
  compare?: (store: RunStore, report: RunReport) => Promise<RunDiff | null>;
  progress?: (plan: Plan) => RunProgress;
  random?: () => number;
}

export type RunOutcome =
  | { started: false; reason: 'overlap' | 'stopped' }
  | {
    started: true;
    runId: string;
    result: RunResult;
    report: RunReport | null;
    diff: RunDiff | null;
    webhook: WebhookOutcome | null;
    error: string | null;
  };

export interface RunScheduler {
  /** Starts the cron schedule. */
  start(): void;
  /**
   * Stops scheduling and stops a run in flight: no new measurement starts, the ones in flight end
   * and are stored, the run is marked interrupted (resumable). `now` abandons them at once
   * (everything finished is already stored). Resolves once nothing is running.
   */
  stop(options?: { now?: boolean }): Promise<void>;
  /** A start right now, as the schedule would make it (jitter included); refused while a run goes. */
  triggerNow(): Promise<RunOutcome>;
  /** The next scheduled start, null when stopped. */
  nextRun(): Date | null;
  readonly busy: boolean;
}

function resultOf(report: RunReport): RunResult {
  if (report.status !== 'done') return 'interrupted';
  return report.exitCode === EXIT_OK ? 'ok' : report.exitCode === EXIT_FINDING ? 'findings' : 'incomplete';
}

/** Where a webhook goes, without its path or query (often a secret, e.g. a chat hook token). */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Runs a plan on a cron schedule: one run at a time (an overlapping start is refused, logged and
 * counted), each after a random jitter; every run is stored (by `execute`), counted, compared with
 * the plan's baseline, and a regression is POSTed to the webhook. Nothing after the store (metrics,
 * comparison, webhook) can fail or lose a run.
 */
export function createRunScheduler(options: RunSchedulerOptions): RunScheduler {
  const { plan, store, metrics } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`pathprobe serve: ${line}\n`));
  const execute = options.execute ?? executeRun;
  const compare = options.compare ?? (async (s: RunStore, report: RunReport) => {
    const compared = await compareRun(s, report, 'baseline');
    return 'comparison' in compared ? compared.comparison : null;
  });
  const progressOf = options.progress
    ?? ((p: Plan) => createRunProgress(process.stderr, { tty: false, agents: p.agents.map((agent) => agent.name) }));
  const random = options.random ?? Math.random;

  let cron: Cron | null = null;
  let stopped = false;
  let inFlight: { promise: Promise<RunOutcome>; runId: string | null; sinceMs: number } | null = null;
  /** Aborted by stop(): ends the jitter wait, the run (cleanly) and webhook retries. */
  const stopping = new AbortController();
  /** The interrupt of the run in flight, if any. */
  let running: RunInterrupt | null = null;

  function waitJitter(): Promise<void> {
    const ms = Math.floor(random() * Math.max(0, options.jitterMs));
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  async function runOnce(slot: { runId: string | null }): Promise<RunOutcome> {
    await waitJitter();
    if (stopping.signal.aborted) return { started: false, reason: 'stopped' };
    const startedAtMs = Date.now();
    const runId = await store.createRun({ plan, planPath: options.planPath, startedAtMs });
    slot.runId = runId;
    log(`run ${runId} started (stored in ${store.location})`);
    const interrupt = createRunInterrupt();
    running = interrupt;
    // stop() came during createRun: this run stops before its first measurement.
    if (stopping.signal.aborted) interrupt.stopAfterInFlight();
    let report: RunReport | null = null;
    let error: string | null = null;
    let stoppedAtOnce = false;
    try {
      report = await execute({
        plan, store, runId, token: options.token, progress: progressOf(plan), interrupt,
      });
    } catch (caught) {
      error = caught instanceof Error ? caught.message.split('\n')[0]! : String(caught);
      stoppedAtOnce = caught instanceof PathprobeError && caught.code === 'ERR_INTERRUPTED' && interrupt.signal.aborted;
      // Whatever was measured is stored: leave the run resumable rather than "running" forever.
      await store.markInterrupted(runId).catch(() => { /* the store is reported by the run's own error */ });
    } finally {
      running = null;
    }
    const durationSeconds = (Date.now() - startedAtMs) / 1000;
    const result: RunResult = report ? resultOf(report) : stoppedAtOnce ? 'interrupted' : 'error';
    metrics.recordRunEnd(result, durationSeconds);
    if (!report) {
      log(`run ${runId} ${stoppedAtOnce ? 'stopped' : 'failed'} after ${durationSeconds.toFixed(1)} s: ${error}`);
      return { started: true, runId, result, report: null, diff: null, webhook: null, error };
    }
    if (report.status !== 'done') {
      log(`run ${runId} interrupted after ${durationSeconds.toFixed(1)} s; ${resumeHint(runId, store)}`);
      return { started: true, runId, result, report, diff: null, webhook: null, error: null };
    }
    metrics.recordReport(report, plan);
    log(`run ${runId} done in ${durationSeconds.toFixed(1)} s: exit ${report.exitCode}, ${report.findings.length} findings`);

    let diff: RunDiff | null = null;
    try {
      diff = await compare(store, report);
    } catch (caught) {
      log(`run ${runId}: cannot compare with the baseline: ${caught instanceof Error ? caught.message.split('\n')[0] : String(caught)}`);
    }
    if (!diff) {
      log(`run ${runId}: no baseline to compare with (set one with: pathprobe baseline set ${runId} --db ${store.location})`);
      return { started: true, runId, result, report, diff: null, webhook: null, error: null };
    }
    metrics.recordRegressed(diff.regressed);
    log(`run ${runId} vs baseline ${diff.base.runId}: ${diff.regressed ? `REGRESSED (${diff.summary.regressions} regressions)` : 'no regression'}, ${diff.summary.significant} significant changes`);
    let webhook: WebhookOutcome | null = null;
    if (diff.regressed && options.webhook) {
      const { url, ...retry } = options.webhook;
      webhook = await postWebhook(url, alertSummary(report, diff), {
        ...retry, signal: stopping.signal, log: (line) => log(`run ${runId}: ${line}`),
      });
      if (webhook.ok) {
        log(`run ${runId}: alert sent to ${webhookOrigin(url)} (HTTP ${webhook.status})`);
      } else {
        metrics.recordWebhookFailure();
        log(`run ${runId}: alert to ${webhookOrigin(url)} failed after ${webhook.attempts} attempt(s): ${webhook.error}; the run is stored`);
      }
    }
    return { started: true, runId, result, report, diff, webhook, error: null };
  }

  function fire(): Promise<RunOutcome> {
    if (stopped) return Promise.resolve({ started: false, reason: 'stopped' });
    if (inFlight) {
      metrics.recordSkipped('overlap');
      const since = ((Date.now() - inFlight.sinceMs) / 1000).toFixed(1);
      log(`start skipped: run ${inFlight.runId ?? '(waiting for its jitter)'} is still going (for ${since} s)`);
      return Promise.resolve({ started: false, reason: 'overlap' });
    }
    const slot: { runId: string | null } = { runId: null };
    const promise = runOnce(slot)
      .catch((caught: unknown): RunOutcome => {
        // Only createRun can get here (a store that cannot be written): log, count, keep serving.
        const message = caught instanceof Error ? caught.message.split('\n')[0]! : String(caught);
        log(`cannot start a run: ${message}`);
        metrics.recordRunEnd('error', 0);
        return { started: true, runId: slot.runId ?? '', result: 'error', report: null, diff: null, webhook: null, error: message };
      })
      .finally(() => { inFlight = null; });
    inFlight = {
      promise,
      sinceMs: Date.now(),
      get runId() { return slot.runId; },
    };
    return promise;
  }

  return {
    start() {
      if (stopped) throw new Error('this scheduler was stopped');
      if (cron) return;
      cron = new Cron(options.cron, () => { void fire(); });
      metrics.recordPlan(plan);
      metrics.recordSchedule({
        intervalSeconds: scheduleIntervalSeconds(options.cron),
        jitterSeconds: options.jitterMs / 1000,
        nextRunMs: () => cron?.nextRun()?.getTime() ?? null,
      });
      const next = cron.nextRun();
      log(`scheduled "${options.cron}"${options.jitterMs > 0 ? ` with up to ${options.jitterMs / 1000} s jitter` : ''}; next start ${next ? next.toISOString() : 'never'}`);
    },
    async stop(stopOptions = {}) {
      stopped = true;
      cron?.stop();
      cron = null;
      stopping.abort();
      running?.stopAfterInFlight();
      if (stopOptions.now && running) {
        const runId = inFlight?.runId;
        running.stopAtOnce(`stopped at once; every finished measurement is stored${runId ? `; ${resumeHint(runId, store)}` : ''}`);
      }
      await inFlight?.promise;
    },
    triggerNow: fire,
    nextRun: () => cron?.nextRun() ?? null,
    get busy() { return inFlight !== null; },
  };
}
