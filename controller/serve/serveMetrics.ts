import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { TEST_KINDS } from '../kinds/testKinds.js';
import type { Plan } from '../model/plan.js';
import type { RunReport } from '../model/runReport.js';

/*
 * The Prometheus metrics of `pathprobe serve`, in a registry of their own (never prom-client's
 * global one). Label cardinality is bounded by the plan: `pair` takes only the pair ids of the last
 * run whose both ends are agents of the plan, `direction` is forward|reverse, `row` is
 * 1500|jumbo|path, `verdict`, `result` and `reason` come from fixed lists. No free text (agent
 * errors, explanations, hostnames) ever becomes a label value. The per-pair series are replaced
 * as a whole after each finished run, so a series exists only for a pair of the last run.
 * The plan's expectation and the schedule are exported too, so alert rules compare against them
 * rather than against numbers copied into the rules (docs/deploy/prometheus/).
 */

export type RunResult = 'ok' | 'findings' | 'incomplete' | 'interrupted' | 'error';
export const RUN_RESULTS: readonly RunResult[] = ['ok', 'findings', 'incomplete', 'interrupted', 'error'];

/** What the staleness alert needs to know about the schedule. */
export interface ServeSchedule {
  /** The longest gap between two consecutive scheduled starts (scheduleIntervalSeconds), null when unknown. */
  intervalSeconds: number | null;
  /** Each start waits up to this long first. */
  jitterSeconds: number;
  /** The next scheduled start (read at each scrape), null once stopped. */
  nextRunMs(): number | null;
}

export interface ServeMetrics {
  readonly registry: Registry;
  /** Exports what the plan expects (today its path MTU), when it says. */
  recordPlan(plan: Plan): void;
  /** Exports the schedule: its interval, jitter and next start. */
  recordSchedule(schedule: ServeSchedule): void;
  /** Replaces the per-pair gauges and verdict counts with those of a finished run. */
  recordReport(report: RunReport, plan: Plan): void;
  /**
   * Counts an ended run and marks its result as the last one; a run that measured everything (ok
   * or with findings) also sets the last success time.
   */
  recordRunEnd(result: RunResult, durationSeconds: number, endedAtMs?: number): void;
  recordSkipped(reason: 'overlap'): void;
  recordRegressed(regressed: boolean): void;
  recordWebhookFailure(): void;
}

export function createServeMetrics({ startedAtMs = Date.now() }: { startedAtMs?: number } = {}): ServeMetrics {
  const registry = new Registry();
  // Every kind's own series, created once, in this registry.
  const kindMetrics = TEST_KINDS.map((kind) => kind.createMetrics(registry));
  const runDuration = new Gauge({ name: 'pathprobe_run_duration_seconds', help: 'Duration of the last ended run', registers: [registry] });
  const lastSuccess = new Gauge({
    name: 'pathprobe_last_success_timestamp_seconds',
    help: 'When the last run that measured everything (exit 0 or 1) ended, Unix seconds', registers: [registry],
  });
  const lastRegressed = new Gauge({
    name: 'pathprobe_last_run_regressed', help: '1 when the last finished run regressed against its baseline, else 0', registers: [registry],
  });
  const lastResult = new Gauge({
    name: 'pathprobe_last_run_result', help: '1 for the result of the last ended run (ok, findings, incomplete, interrupted, error), 0 for the others',
    labelNames: ['result'] as const, registers: [registry],
  });
  const serveStart = new Gauge({
    name: 'pathprobe_serve_start_timestamp_seconds', help: 'When this serve process started, Unix seconds', registers: [registry],
  });
  serveStart.set(startedAtMs / 1000);
  const runsTotal = new Counter({
    name: 'pathprobe_runs_total', help: 'Runs ended, by result (ok, findings, incomplete, interrupted, error)',
    labelNames: ['result'] as const, registers: [registry],
  });
  const runsSkipped = new Counter({
    name: 'pathprobe_runs_skipped_total', help: 'Scheduled starts refused, by reason',
    labelNames: ['reason'] as const, registers: [registry],
  });
  const webhookFailures = new Counter({
    name: 'pathprobe_webhook_failures_total', help: 'Alert webhooks that failed after every retry', registers: [registry],
  });
  // Every fixed-list series exists from the start (at 0), so rate() and absent() behave.
  for (const result of RUN_RESULTS) {
    runsTotal.inc({ result }, 0);
    lastResult.set({ result }, 0);
  }
  runsSkipped.inc({ reason: 'overlap' }, 0);
  webhookFailures.inc(0);

  // Created on first use: a series that exists only when its value is known (a plan without
  // expect.pathMtu has no expected path MTU, not an expected 0).
  let expectedPathMtu: Gauge | null = null;
  let schedule: ServeSchedule | null = null;

  return {
    registry,
    recordPlan(plan) {
      if (plan.expect.pathMtu === undefined) return;
      expectedPathMtu ??= new Gauge({
        name: 'pathprobe_expected_path_mtu_bytes', help: 'The path MTU the plan expects in every direction (expect.pathMtu)', registers: [registry],
      });
      expectedPathMtu.set(plan.expect.pathMtu);
    },
    recordSchedule(next) {
      schedule = next;
      const gauge = (name: string, help: string, collect?: (this: Gauge) => void): Gauge =>
        (registry.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, registers: [registry], ...(collect ? { collect } : {}) });
      // A schedule with fewer than two more starts has no interval: no series rather than a made-up one.
      if (next.intervalSeconds !== null) {
        gauge('pathprobe_schedule_interval_seconds', 'The longest gap between two consecutive scheduled starts over the coming week')
          .set(next.intervalSeconds);
      }
      gauge('pathprobe_schedule_jitter_seconds', 'Each start waits a random time up to this first').set(next.jitterSeconds);
      // Read at each scrape: the cron moves on by itself.
      gauge('pathprobe_next_run_timestamp_seconds', 'The next scheduled start, Unix seconds', function collect() {
        const nextRunMs = schedule?.nextRunMs() ?? null;
        if (nextRunMs !== null) this.set(nextRunMs / 1000);
      });
    },
    recordReport(report, plan) {
      const agents = new Map(plan.agents.map((agent) => [agent.name, agent]));
      const inPlan = (agent: string, address: string): boolean => {
        const planned = agents.get(agent);
        return planned !== undefined && (planned.addresses === 'all' || planned.addresses.includes(address));
      };
      const inScope = report.pairs.filter(({ pair }) => inPlan(pair.a.agent, pair.a.address) && inPlan(pair.b.agent, pair.b.address));
      for (const metrics of kindMetrics) metrics.record(inScope);
    },
    recordRunEnd(result, durationSeconds, endedAtMs = Date.now()) {
      runsTotal.inc({ result });
      for (const other of RUN_RESULTS) lastResult.set({ result: other }, other === result ? 1 : 0);
      runDuration.set(durationSeconds);
      if (result === 'ok' || result === 'findings') lastSuccess.set(endedAtMs / 1000);
    },
    recordSkipped(reason) {
      runsSkipped.inc({ reason });
    },
    recordRegressed(regressed) {
      lastRegressed.set(regressed ? 1 : 0);
    },
    recordWebhookFailure() {
      webhookFailures.inc();
    },
  };
}

export interface MetricsServer {
  server: Server;
  /** e.g. http://127.0.0.1:9420/metrics */
  url: string;
  close(): Promise<void>;
}

/** Serves `registry` at GET /metrics on host:port (port 0 = any free port); 404 elsewhere. */
export async function listenMetrics(registry: Registry, listen: { host: string; port: number }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://serve').pathname;
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`cannot collect metrics: ${(error as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const hostText = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    server,
    url: `http://${hostText}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
