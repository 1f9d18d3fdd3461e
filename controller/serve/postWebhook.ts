import { planKeyOf } from '../diff/planKey.js';
import type { DiffChange, RunDiff } from '../model/runDiff.js';
import type { RunReport } from '../model/runReport.js';

export const ALERT_SCHEMA = 'pathprobe.alert/v1';
/** A huge diff (a whole fabric re-cabled) still makes a webhook body a receiver can take. */
export const MAX_ALERT_CHANGES = 200;

export interface AlertChange {
  pairId: string;
  direction: DiffChange['direction'];
  kind: DiffChange['kind'];
  category: DiffChange['category'];
  subject: string | null;
  before: DiffChange['before'];
  after: DiffChange['after'];
  regression: boolean;
  explanation: string;
}

export interface AlertSummary {
  schema: typeof ALERT_SCHEMA;
  runId: string;
  planKey: string;
  baselineRunId: string;
  regressed: boolean;
  /** The significant changes since the baseline, regressions first (at most MAX_ALERT_CHANGES). */
  changes: AlertChange[];
  changesOmitted: number;
  findings: string[];
  reportUrl: string | null;
}

/** The JSON body of an alert: the run, its baseline and the significant changes. Pure. */
export function alertSummary(report: RunReport, diff: RunDiff, options: { reportUrl?: string | null } = {}): AlertSummary {
  const significant = diff.changes.filter((change) => change.significant);
  const ordered = [...significant.filter((c) => c.regression), ...significant.filter((c) => !c.regression)];
  return {
    schema: ALERT_SCHEMA,
    runId: report.runId,
    planKey: planKeyOf(report.plan),
    baselineRunId: diff.base.runId,
    regressed: diff.regressed,
    changes: ordered.slice(0, MAX_ALERT_CHANGES).map((c) => ({
      pairId: c.pairId, direction: c.direction, kind: c.kind, category: c.category, subject: c.subject,
      before: c.before, after: c.after, regression: c.regression, explanation: c.explanation,
    })),
    changesOmitted: Math.max(0, ordered.length - MAX_ALERT_CHANGES),
    findings: report.findings.map((finding) => finding.title),
    reportUrl: options.reportUrl ?? null,
  };
}

export interface PostWebhookOptions {
  /** Per attempt; default 5000. */
  timeoutMs?: number;
  /** Attempts in all; default 3. */
  tries?: number;
  /** Wait before the 2nd attempt, doubled for each later one; default 1000. */
  backoffMs?: number;
  /** Stops waiting and retrying (the service is shutting down). */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export type WebhookOutcome =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; error: string };

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** 4xx other than 408/429 means the receiver refuses this body: sending it again will not help. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * POSTs `body` as JSON to `url`, each attempt bounded by a timeout, retrying with exponential
 * backoff. Never throws: the outcome says whether it was delivered and, if not, why.
 */
export async function postWebhook(url: string, body: unknown, options: PostWebhookOptions = {}): Promise<WebhookOutcome> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const tries = Math.max(1, options.tries ?? 3);
  const backoffMs = options.backoffMs ?? 1000;
  const log = options.log ?? (() => {});
  const text = JSON.stringify(body);
  let lastError = 'not attempted';
  for (let attempt = 1; attempt <= tries; attempt++) {
    if (options.signal?.aborted) return { ok: false, attempts: attempt - 1, error: `abandoned (stopping) after: ${lastError}` };
    const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'pathprobe-serve' },
        body: text,
        signal: AbortSignal.any(signals),
        redirect: 'error',
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, attempts: attempt, status: response.status };
      lastError = `HTTP ${response.status}`;
      if (!retryable(response.status)) return { ok: false, attempts: attempt, error: lastError };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      lastError = err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms`
        : err.name === 'AbortError' ? 'abandoned (stopping)'
        : err.cause?.code ?? err.cause?.message ?? err.message;
    }
    if (attempt < tries) {
      const wait = backoffMs * 2 ** (attempt - 1);
      log(`webhook attempt ${attempt}/${tries} failed (${lastError}); retrying in ${wait} ms`);
      await sleep(wait, options.signal);
    }
  }
  return { ok: false, attempts: tries, error: lastError };
}
