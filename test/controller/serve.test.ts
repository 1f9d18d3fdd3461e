import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedRunReport } from '../../controller/run/runService.js';
import type { RunProgress } from '../../controller/run/runProgress.js';
import { RunStore } from '../../controller/store/RunStore.js';
import { planKeyOf } from '../../controller/diff/planKey.js';
import { createRunScheduler, type ExecuteRun, type RunSchedulerOptions } from '../../controller/serve/runScheduler.js';
import { createServeMetrics, listenMetrics } from '../../controller/serve/serveMetrics.js';
import { ALERT_SCHEMA, type AlertSummary } from '../../controller/serve/postWebhook.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';
import type { RunReport } from '../../controller/model/runReport.js';

/*
 * `pathprobe serve` without a lab: the scheduler gets a fake run function that stores the rack-12
 * fixture's facts, path-MTU reports and throughput cells the way a real run would, so the report,
 * the baseline comparison, the metrics and the webhook all work on real stored data.
 */

const silentProgress: RunProgress = { phase() {}, line() {}, pmtu() {}, cell() {}, estimate() {}, done() {} };

/** On tmpfs when there is one: each stored result is an fsync'd commit, which a busy disk makes slow. */
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

async function tempStore(t: ExecutionContext): Promise<RunStore> {
  const dir = mkdtempSync(join(SCRATCH, 'pathprobe-serve-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = await RunStore.open(join(dir, 'pathprobe.sqlite'));
  t.teardown(() => store.close());
  return store;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

const FIXTURE = rackRun();
const PAIR_H1_H2 = FIXTURE.pairs.find((p) => p.pair.a.agent === 'h1' && p.pair.b.agent === 'h2')!;
const PAIR_H1_H7 = FIXTURE.pairs.find((p) => p.pair.a.agent === 'h1' && p.pair.b.agent === 'h7')!;

/** The h1 ↔ h2 forward direction now silently drops above 1500, as if a switch port had been capped. */
function cappedH1H2(): RunReport['pairs'][number]['pmtu'] {
  const pmtu = structuredClone(PAIR_H1_H2.pmtu!);
  pmtu.forward = { ...structuredClone(PAIR_H1_H7.pmtu!.forward), direction: pmtu.forward.direction };
  return pmtu;
}

interface FakeRun {
  execute: ExecuteRun;
  calls: number;
}

/**
 * Stores the fixture's results as a run would; `regressFrom` = the call (1-based) from which h1 → h2
 * is capped; `holdMs` keeps the run going (until stopped) to test overlaps.
 */
function fakeRun(options: { regressFrom?: number; holdMs?: number } = {}): FakeRun {
  const fake: FakeRun = {
    calls: 0,
    execute: async ({ store, runId, interrupt, progress }) => {
      fake.calls += 1;
      const call = fake.calls;
      try {
        for (const [agent, facts] of Object.entries(FIXTURE.facts)) await store.saveFacts(runId, agent, facts);
        for (const result of FIXTURE.pairs) {
          const capped = options.regressFrom !== undefined && call >= options.regressFrom && result === PAIR_H1_H2;
          const pmtu = capped ? cappedH1H2() : result.pmtu;
          if (pmtu) await store.savePmtu(runId, result.pair.id, { report: pmtu }, Date.now());
          for (const cell of result.cells) await store.saveCell(runId, cell);
        }
        if (options.holdMs) await sleep(options.holdMs, interrupt.signal);
        if (interrupt.signal.aborted) {
          await store.markInterrupted(runId);
          return storedRunReport(store, runId);
        }
        const done = await storedRunReport(store, runId);
        await store.finishRun(runId, { status: 'done', exitCode: done.exitCode, finishedAtMs: Date.now() });
        const report = await storedRunReport(store, runId);
        await store.saveReport(runId, report);
        return report;
      } finally {
        progress.done();
      }
    },
  };
  return fake;
}

function scheduler(t: ExecutionContext, store: RunStore, fake: FakeRun, extra: Partial<RunSchedulerOptions> = {}) {
  const metrics = createServeMetrics();
  const lines: string[] = [];
  const s = createRunScheduler({
    plan: FIXTURE.plan, planPath: 'rack12.yaml', store, token: null, cron: '0 2 * * *', jitterMs: 0, metrics,
    execute: fake.execute, progress: () => silentProgress, log: (line) => lines.push(line), ...extra,
  });
  t.teardown(() => s.stop());
  return { scheduler: s, metrics, lines };
}

interface Sample { name: string; labels: Record<string, string>; value: number }

/** The Prometheus text format, `name{a="x",b="y"} value` lines; comments skipped. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
    && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
}

async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`scrape ${url}: HTTP ${response.status}`);
  return parseMetrics(await response.text());
}

/** A local HTTP server standing in for the alert receiver. */
async function webhookReceiver(t: ExecutionContext, answer: 'ok' | 'never' = 'ok') {
  const received: Array<{ headers: IncomingMessage['headers']; body: unknown }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      if (answer === 'ok') res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => closeServer(server));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/pathprobe?key=secret`, received };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await closeServer(server);
  return `http://127.0.0.1:${port}/hook`;
}

// --- metrics ---------------------------------------------------------------------------------

test('metrics: scraped over HTTP after a run, with the path MTUs, throughput, verdicts and run counts of that run', async (t) => {
  const store = await tempStore(t);
  const { scheduler: s, metrics } = scheduler(t, store, fakeRun());
  const server = await listenMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());

  const before = await scrape(server.url);
  t.is(valueOf(before, 'pathprobe_runs_total', { result: 'findings' }), 0);
  t.is(before.filter((s) => s.name === 'pathprobe_path_mtu_bytes').length, 0, 'no pair series before any run');

  const outcome = await s.triggerNow();
  t.true(outcome.started);
  const samples = await scrape(server.url);

  t.is(valueOf(samples, 'pathprobe_path_mtu_bytes', { pair: PAIR_H1_H2.pair.id, direction: 'forward' }), 9000);
  t.is(valueOf(samples, 'pathprobe_path_mtu_bytes', { pair: PAIR_H1_H2.pair.id, direction: 'reverse' }), 9000);
  t.is(valueOf(samples, 'pathprobe_path_mtu_bytes', { pair: PAIR_H1_H7.pair.id, direction: 'forward' }), 1500);
  t.is(samples.filter((s) => s.name === 'pathprobe_path_mtu_bytes').length, FIXTURE.pairs.length * 2);

  // Throughput: the best median of each row of each measured direction.
  const measured = FIXTURE.pairs.filter((p) => p.throughput);
  t.true(measured.length > 0);
  let expectedSeries = 0;
  for (const p of measured) {
    for (const d of p.throughput!.directions) {
      for (const row of d.rows) {
        const medians = row.cells.map((c) => c.medianBitsPerSecond).filter((m): m is number => m !== null);
        if (!medians.length) continue;
        expectedSeries += 1;
        t.is(valueOf(samples, 'pathprobe_throughput_bits_per_second', { pair: p.pair.id, direction: d.direction, row: row.row.row }),
          Math.max(...medians), `${p.pair.id} ${d.direction} ${row.row.row}`);
      }
    }
  }
  t.is(samples.filter((s) => s.name === 'pathprobe_throughput_bits_per_second').length, expectedSeries);

  // 21 pairs: 30 directions among h1..h6 are ok, the 12 to or from h7 drop silently above 1500.
  t.is(valueOf(samples, 'pathprobe_verdicts', { verdict: 'ok' }), 30);
  t.is(valueOf(samples, 'pathprobe_verdicts', { verdict: 'silent-drop' }), 12);
  t.is(valueOf(samples, 'pathprobe_verdicts', { verdict: 'error' }), 0);
  t.is(valueOf(samples, 'pathprobe_runs_total', { result: 'findings' }), 1);
  t.true(valueOf(samples, 'pathprobe_run_duration_seconds')! >= 0);
  const lastSuccess = valueOf(samples, 'pathprobe_last_success_timestamp_seconds')!;
  t.true(Math.abs(lastSuccess - Date.now() / 1000) < 60, `last success ${lastSuccess}`);

  // Elsewhere: 404.
  t.is((await fetch(server.url.replace('/metrics', '/'))).status, 404);
  t.is((await fetch(server.url.replace('/metrics', '/metrics/x'))).status, 404);
});

test('metrics: labels are bounded: a second run of the same plan creates no new series, only new values', async (t) => {
  const store = await tempStore(t);
  const { scheduler: s, metrics } = scheduler(t, store, fakeRun({ regressFrom: 2 }));
  const server = await listenMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const seriesOf = (samples: Sample[]) => samples.map((x) => `${x.name}${JSON.stringify(x.labels)}`).sort();

  await s.triggerNow();
  const first = await scrape(server.url);
  await s.triggerNow();
  const second = await scrape(server.url);

  t.deepEqual(seriesOf(second), seriesOf(first));
  t.is(valueOf(second, 'pathprobe_runs_total', { result: 'findings' }), 2);
  t.is(valueOf(second, 'pathprobe_path_mtu_bytes', { pair: PAIR_H1_H2.pair.id, direction: 'forward' }), 1500, 'the value follows the last run');
  // Every label value comes from the plan or a fixed list: pair ids of plan agents, never free text.
  const planPairs = new Set(FIXTURE.pairs.map((p) => p.pair.id));
  for (const sample of second) {
    if ('pair' in sample.labels) t.true(planPairs.has(sample.labels.pair!), sample.labels.pair);
    if ('direction' in sample.labels) t.true(['forward', 'reverse'].includes(sample.labels.direction!));
    if ('row' in sample.labels) t.true(['1500', 'jumbo', 'path'].includes(sample.labels.row!));
  }
});

// --- webhook ---------------------------------------------------------------------------------

test('metrics: the last run\'s result is 1 and every other result 0, so a failed run stays visible until a run succeeds', async (t) => {
  const store = await tempStore(t);
  let fail = true;
  const fake = fakeRun();
  const { scheduler: s, metrics } = scheduler(t, store, {
    calls: 0,
    execute: async (input) => {
      if (fail) throw new Error('agent h3 answered garbage');
      return fake.execute(input);
    },
  });
  const results = async () => Object.fromEntries(parseMetrics(await metrics.registry.metrics())
    .filter((x) => x.name === 'pathprobe_last_run_result').map((x) => [x.labels.result, x.value]));
  t.deepEqual(await results(), { ok: 0, findings: 0, incomplete: 0, interrupted: 0, error: 0 }, 'no run yet');

  await s.triggerNow();
  t.deepEqual(await results(), { ok: 0, findings: 0, incomplete: 0, interrupted: 0, error: 1 });
  fail = false;
  await s.triggerNow();
  t.deepEqual(await results(), { ok: 0, findings: 1, incomplete: 0, interrupted: 0, error: 0 }, 'the rack fixture has findings');
});

test('metrics: a started schedule exports the plan\'s expected path MTU, the schedule\'s interval, jitter, next start and serve\'s start', async (t) => {
  const store = await tempStore(t);
  const metrics = createServeMetrics({ startedAtMs: 1_700_000_000_000 });
  const s = createRunScheduler({
    plan: FIXTURE.plan, planPath: 'rack12.yaml', store, token: null, cron: '0 2 * * 1-5', jitterMs: 30_000, metrics,
    execute: fakeRun().execute, progress: () => silentProgress, log: () => {},
  });
  t.teardown(() => s.stop());
  const before = parseMetrics(await metrics.registry.metrics());
  t.is(valueOf(before, 'pathprobe_serve_start_timestamp_seconds'), 1_700_000_000);
  for (const name of ['pathprobe_expected_path_mtu_bytes', 'pathprobe_schedule_interval_seconds', 'pathprobe_next_run_timestamp_seconds']) {
    t.is(valueOf(before, name), undefined, `${name}: not before the schedule starts`);
  }

  s.start();
  const samples = parseMetrics(await metrics.registry.metrics());
  t.is(valueOf(samples, 'pathprobe_expected_path_mtu_bytes'), 9000);
  t.is(valueOf(samples, 'pathprobe_schedule_interval_seconds'), 3 * 86_400, 'weekdays only: the weekend is the longest gap');
  t.is(valueOf(samples, 'pathprobe_schedule_jitter_seconds'), 30);
  t.is(valueOf(samples, 'pathprobe_next_run_timestamp_seconds'), s.nextRun()!.getTime() / 1000);
});

test('metrics: a plan without expect.pathMtu exports no expected path MTU (not an expected 0)', async (t) => {
  const store = await tempStore(t);
  const metrics = createServeMetrics();
  const plan = { ...FIXTURE.plan, expect: {} };
  const s = createRunScheduler({
    plan, planPath: 'rack12.yaml', store, token: null, cron: '0 2 * * *', jitterMs: 0, metrics,
    execute: fakeRun().execute, progress: () => silentProgress, log: () => {},
  });
  t.teardown(() => s.stop());
  s.start();
  const samples = parseMetrics(await metrics.registry.metrics());
  t.is(valueOf(samples, 'pathprobe_expected_path_mtu_bytes'), undefined);
  t.is(valueOf(samples, 'pathprobe_schedule_interval_seconds'), 86_400);
});

test('webhook: a run that regresses against the baseline is POSTed as a JSON summary to the local receiver', async (t) => {
  const store = await tempStore(t);
  const receiver = await webhookReceiver(t);
  const { scheduler: s, metrics } = scheduler(t, store, fakeRun({ regressFrom: 2 }), { webhook: { url: receiver.url } });

  const first = await s.triggerNow();
  if (!first.started) throw new Error('first run did not start');
  t.is(first.diff, null, 'no baseline yet');
  t.is(receiver.received.length, 0);
  await store.setBaseline(first.runId, planKeyOf(FIXTURE.plan));

  const second = await s.triggerNow();
  if (!second.started) throw new Error('second run did not start');
  t.true(second.diff?.regressed);
  t.deepEqual(second.webhook && { ok: second.webhook.ok, attempts: second.webhook.attempts }, { ok: true, attempts: 1 });
  t.is(receiver.received.length, 1);
  const { headers, body } = receiver.received[0]! as { headers: IncomingMessage['headers']; body: AlertSummary };
  t.regex(headers['content-type'] ?? '', /^application\/json/);
  t.is(body.schema, ALERT_SCHEMA);
  assertMatchesContract(t, 'pathprobe.alert/v1', body);
  t.is(body.runId, second.runId);
  t.is(body.baselineRunId, first.runId);
  t.is(body.planKey, planKeyOf(FIXTURE.plan));
  t.true(body.regressed);
  t.is(body.reportUrl, null);
  const mtuChange = body.changes.find((c) => c.kind === 'path-mtu');
  t.like(mtuChange, { pairId: PAIR_H1_H2.pair.id, direction: 'forward', before: 9000, after: 1500, regression: true });
  t.true(body.changes.every((c) => c.pairId === PAIR_H1_H2.pair.id), 'only the changed pair');
  t.deepEqual(body.findings, second.report!.findings.map((f) => f.title), 'the alert carries the title of every finding of the run');
  t.true(body.findings.some((title) => /^h1 \(\S+\) → h2 \(\S+\): packets above 1500 bytes are silently dropped/.test(title)), 'the new cap is one of them');
  t.is(valueOf(parseMetrics(await metrics.registry.metrics()), 'pathprobe_last_run_regressed'), 1);
  t.is(valueOf(parseMetrics(await metrics.registry.metrics()), 'pathprobe_webhook_failures_total'), 0);

  // A third run without change from the second? Still regressed against the baseline: alerted again.
  await s.triggerNow();
  t.is(receiver.received.length, 2);
});

test('webhook: a target that is down does not fail the run; it is stored and counted, the failure too', async (t) => {
  const store = await tempStore(t);
  const url = await closedPortUrl();
  const { scheduler: s, metrics, lines } = scheduler(t, store, fakeRun({ regressFrom: 2 }), {
    webhook: { url, tries: 3, backoffMs: 20, timeoutMs: 2000 },
  });
  const first = await s.triggerNow();
  if (!first.started) throw new Error('first run did not start');
  await store.setBaseline(first.runId, planKeyOf(FIXTURE.plan));

  const second = await s.triggerNow();
  if (!second.started) throw new Error('second run did not start');
  t.is(second.result, 'findings');
  t.is(second.error, null);
  t.false(second.webhook?.ok);
  t.is(second.webhook?.attempts, 3);
  t.is((await store.getRun(second.runId))?.status, 'done');
  t.truthy(await store.loadReport(second.runId), 'the report is stored');
  const samples = parseMetrics(await metrics.registry.metrics());
  t.is(valueOf(samples, 'pathprobe_webhook_failures_total'), 1);
  t.is(valueOf(samples, 'pathprobe_runs_total', { result: 'findings' }), 2);
  t.true(lines.some((l) => /alert to http:\/\/127\.0\.0\.1:\d+ failed after 3 attempt\(s\): ECONNREFUSED; the run is stored/.test(l)), lines.join('\n'));
  t.false(lines.some((l) => l.includes('/hook')), 'the webhook path (often a secret) is never logged');
});

test('webhook: a target that never answers times out, is retried, and does not fail the run', async (t) => {
  const store = await tempStore(t);
  const receiver = await webhookReceiver(t, 'never');
  const { scheduler: s, metrics } = scheduler(t, store, fakeRun({ regressFrom: 2 }), {
    webhook: { url: receiver.url, tries: 2, backoffMs: 10, timeoutMs: 1000 },
  });
  const first = await s.triggerNow();
  if (!first.started) throw new Error('first run did not start');
  await store.setBaseline(first.runId, planKeyOf(FIXTURE.plan));

  const startedMs = Date.now();
  const second = await s.triggerNow();
  if (!second.started) throw new Error('second run did not start');
  t.true(Date.now() - startedMs < 8000);
  t.deepEqual(second.webhook, { ok: false, attempts: 2, error: 'no answer in 1000 ms' });
  // The receiver got the alert and never answered (on a loaded machine an attempt may time out before it connects).
  t.true(receiver.received.length >= 1 && receiver.received.length <= 2, `${receiver.received.length} received`);
  t.is((await store.getRun(second.runId))?.status, 'done');
  const samples = parseMetrics(await metrics.registry.metrics());
  t.is(valueOf(samples, 'pathprobe_webhook_failures_total'), 1);
  t.is(valueOf(samples, 'pathprobe_runs_total', { result: 'findings' }), 2);
});

// --- schedule --------------------------------------------------------------------------------

test('schedule: a short cron schedule fires and stores runs; stop() ends it', async (t) => {
  const store = await tempStore(t);
  const fake = fakeRun();
  const { scheduler: s } = scheduler(t, store, fake, { cron: '*/1 * * * * *' });
  s.start();
  t.truthy(s.nextRun());
  const deadline = Date.now() + 15_000;
  while ((await store.listRuns()).filter((r) => r.status === 'done').length < 1 && Date.now() < deadline) await sleep(50);
  await s.stop();
  const runs = await store.listRuns();
  t.true(runs.length >= 1, 'a scheduled run fired');
  t.true(runs.every((r) => r.status === 'done'));
  t.is(s.nextRun(), null);
  const count = fake.calls;
  await sleep(1500);
  t.is(fake.calls, count, 'nothing starts after stop()');
  t.deepEqual(await s.triggerNow(), { started: false, reason: 'stopped' });
});

test('schedule: a start while a slow run is still going is refused and counted; stop() interrupts the run cleanly', async (t) => {
  const store = await tempStore(t);
  const fake = fakeRun({ holdMs: 60_000 });
  const { scheduler: s, metrics, lines } = scheduler(t, store, fake, { cron: '*/1 * * * * *' });

  const running = s.triggerNow();
  await sleep(50);
  t.true(s.busy);
  t.deepEqual(await s.triggerNow(), { started: false, reason: 'overlap' });
  // The schedule's own starts are refused the same way.
  s.start();
  const deadline = Date.now() + 15_000;
  const skipped = async () => valueOf(parseMetrics(await metrics.registry.metrics()), 'pathprobe_runs_skipped_total', { reason: 'overlap' }) ?? 0;
  while ((await skipped()) < 2 && Date.now() < deadline) await sleep(50);
  t.true((await skipped()) >= 2);
  t.true(lines.some((l) => /start skipped: run r\S+ is still going/.test(l)), lines.join('\n'));

  await s.stop();
  const outcome = await running;
  if (!outcome.started) throw new Error('the slow run did not start');
  t.is(outcome.result, 'interrupted');
  t.is(fake.calls, 1, 'only one run ever started');
  const runs = await store.listRuns();
  t.is(runs.length, 1);
  t.is(runs[0]!.status, 'interrupted', 'resumable');
  t.is(valueOf(parseMetrics(await metrics.registry.metrics()), 'pathprobe_runs_total', { result: 'interrupted' }), 1);
  t.false(s.busy);
});

test('schedule: a run that throws is logged, counted and marked interrupted; the scheduler keeps going', async (t) => {
  const store = await tempStore(t);
  let calls = 0;
  const failing: FakeRun = {
    calls: 0,
    execute: async () => {
      calls += 1;
      throw new Error('agent h3 answered garbage\nsecond line');
    },
  };
  const { scheduler: s, metrics, lines } = scheduler(t, store, failing);
  const first = await s.triggerNow();
  if (!first.started) throw new Error('did not start');
  t.is(first.result, 'error');
  t.is(first.error, 'agent h3 answered garbage');
  t.is((await store.getRun(first.runId))?.status, 'interrupted');
  t.true((await s.triggerNow()).started);
  t.is(calls, 2);
  t.is(valueOf(parseMetrics(await metrics.registry.metrics()), 'pathprobe_runs_total', { result: 'error' }), 2);
  t.true(lines.some((l) => l.includes('failed after')));
});

test('schedule: jitter delays the start by a random share of --jitter, and stop() cuts the wait short', async (t) => {
  const store = await tempStore(t);
  const fake = fakeRun();
  const { scheduler: s } = scheduler(t, store, fake, { jitterMs: 400, random: () => 0.5 });
  const startedMs = Date.now();
  await s.triggerNow();
  t.true(Date.now() - startedMs >= 190, 'waited about half of 400 ms');

  const { scheduler: waiting } = scheduler(t, store, fake, { jitterMs: 60_000, random: () => 0.99 });
  const pending = waiting.triggerNow();
  await sleep(50);
  t.true(waiting.busy);
  await waiting.stop();
  t.deepEqual(await pending, { started: false, reason: 'stopped' });
  t.is(fake.calls, 1);
});
