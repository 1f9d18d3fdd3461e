import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from '../../controller/store/migrations.js';
import { RunStore } from '../../controller/store/RunStore.js';
import { planKeyOf } from '../../controller/diff/planKey.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import type { Plan } from '../../controller/model/plan.js';

function tempPath(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pathprobe-baseline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'pathprobe.sqlite');
}

const plan: Plan = {
  tokenFile: '/etc/pathprobe/token',
  agents: [
    { name: 'h1', url: 'http://198.19.0.1:7420', addresses: ['198.18.1.11'], labels: { switch: 'tor-1' } },
    { name: 'h2', url: 'http://198.19.0.2:7420', addresses: 'all', labels: {} },
  ],
  expect: {}, tests: ['pmtu'], throughput: { streams: [1], durationMs: 1000, repeats: 1 },
  concurrency: { pmtuParallel: 1, throughput: 'serial' },
};
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);

test('baseline set/get round trip: replaced by a later set, kept across reopening, unknown plan → null', async (t) => {
  const path = tempPath(t);
  let store = await RunStore.open(path);
  const first = await store.createRun({ plan, planPath: 'rack12.yaml', startedAtMs: T0 });
  const second = await store.createRun({ plan, planPath: 'rack12.yaml', startedAtMs: T0 + 86_400_000 });
  const key = planKeyOf(plan);
  t.is(await store.getBaseline(key), null);
  t.is(await store.setBaseline(first, key, { planLabel: 'rack12.yaml', setAtMs: T0 + 1 }), null);
  t.deepEqual(await store.getBaseline(key), { planKey: key, runId: first, planLabel: 'rack12.yaml', setAtMs: T0 + 1 });
  const previous = await store.setBaseline(second, key, { setAtMs: T0 + 2 });
  t.is(previous?.runId, first);
  await store.close();

  store = await RunStore.open(path);
  t.teardown(() => store.close());
  t.deepEqual(await store.getBaseline(key), { planKey: key, runId: second, planLabel: null, setAtMs: T0 + 2 });
  t.is(await store.getBaseline('plan-0000000000000000'), null);
  const error = await t.throwsAsync(store.setBaseline('r20000101-000000-0000', key), { instanceOf: PathprobeError });
  t.regex(error.message, /no run r20000101-000000-0000/);
  t.is((await store.getBaseline(key))?.runId, second, 'a refused set keeps the baseline');
});

test('the plan key depends on agent names and addresses only, not on order, URLs, labels or test settings', (t) => {
  const key = planKeyOf(plan);
  t.regex(key, /^plan-[0-9a-f]{16}$/);
  t.is(planKeyOf({ agents: [...plan.agents].reverse().map((a) => ({ ...a, url: 'http://elsewhere:1', labels: {} })) }), key);
  t.not(planKeyOf({ agents: [plan.agents[0]!] }), key);
  t.not(planKeyOf({ agents: [{ ...plan.agents[0]!, addresses: ['198.18.1.99'] }, plan.agents[1]!] }), key);
  t.not(planKeyOf({ agents: [plan.agents[0]!, { ...plan.agents[1]!, name: 'h9' }] }), key);
});

test('a version-1 database file is migrated to version 2 and keeps its runs, results and reports', async (t) => {
  const path = tempPath(t);
  // A file as pathprobe wrote it before baselines existed.
  const v1 = new Database(path);
  v1.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)');
  v1.exec(MIGRATIONS[0]!.sql);
  v1.prepare('INSERT INTO schema_version VALUES (1, ?, 0)').run(MIGRATIONS[0]!.description);
  v1.prepare(`INSERT INTO runs (run_id, plan_json, plan_path, status, started_at_ms, finished_at_ms, exit_code)
    VALUES ('r20260105-020000-abcd', ?, 'rack12.yaml', 'done', ?, ?, 0)`).run(JSON.stringify(plan), T0, T0 + 60_000);
  v1.prepare(`INSERT INTO facts (run_id, agent, facts_json, error, saved_at_ms) VALUES ('r20260105-020000-abcd', 'h2', NULL, 'down', ?)`).run(T0);
  v1.prepare(`INSERT INTO pmtu (run_id, pair_id, error_code, error_message, measured_at_ms) VALUES ('r20260105-020000-abcd', 'h1/x~h2/y', 'ERR_PROBE_FAILED', 'no', ?)`).run(T0);
  v1.prepare(`INSERT INTO reports (run_id, report_json, findings, failing, exit_code, saved_at_ms) VALUES ('r20260105-020000-abcd', '{"runId":"r20260105-020000-abcd"}', 0, 0, 0, ?)`).run(T0);
  v1.close();

  const store = await RunStore.open(path);
  t.teardown(() => store.close());
  t.like(await store.getRun('r20260105-020000-abcd'), { plan, planPath: 'rack12.yaml', status: 'done', exitCode: 0 });
  const results = (await store.loadResults('r20260105-020000-abcd'))!;
  t.deepEqual(results.facts, { h2: { error: 'down' } });
  t.deepEqual(results.pmtu.get('h1/x~h2/y'), { error: { code: 'ERR_PROBE_FAILED', message: 'no' } });
  t.deepEqual(await store.loadReport('r20260105-020000-abcd') as unknown, { runId: 'r20260105-020000-abcd' });
  await store.setBaseline('r20260105-020000-abcd', planKeyOf(plan));
  t.is((await store.getBaseline(planKeyOf(plan)))?.runId, 'r20260105-020000-abcd');

  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.deepEqual(db.prepare('SELECT version FROM schema_version ORDER BY version').all(), [{ version: 1 }, { version: 2 }]);
  t.is(SCHEMA_VERSION, 2);
});

test('a new file is created at the current version with one schema_version row and a baselines table', async (t) => {
  const path = tempPath(t);
  await (await RunStore.open(path)).close();
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.deepEqual(db.prepare('SELECT version FROM schema_version').all(), [{ version: SCHEMA_VERSION }]);
  t.truthy(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'baselines'`).get());
});
