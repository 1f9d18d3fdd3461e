import test, { type ExecutionContext } from 'ava';
import { cellKeyId, type CellKey, type StoredCell } from '../../controller/model/cellRecord.js';
import { rollUp } from '../../controller/aggregate/rollup.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { RunStore } from '../../controller/store/RunStore.js';
import { RUN_ID_PATTERN } from '../../controller/store/runId.js';
import { SCHEMA_VERSION } from '../../controller/store/migrations.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { pairId } from '../../controller/model/pair.js';
import type { Plan } from '../../controller/model/plan.js';
import { PMTU_REPORT_SCHEMA, type PmtuReport } from '../../controller/model/pmtuReport.js';
import type { RunReport } from '../../controller/model/runReport.js';
import { freePort, usePostgresServer } from '../helpers/postgresServer.js';

const RUN_STORE_JS = new URL('../../controller/store/RunStore.js', import.meta.url).href;

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pathprobe-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openStore(t: ExecutionContext, db: string): Promise<RunStore> {
  const store = await RunStore.open(db);
  t.teardown(() => store.close());
  return store;
}

const postgres = usePostgresServer(test);

/*
 * The store's behaviour is the same on both engines: the tests below that are not about one
 * engine's file or server run once per engine, each on a new database.
 */
interface Engine {
  name: 'sqlite' | 'postgres';
  newDb(t: ExecutionContext): Promise<string>;
  /** The driver's code for a UNIQUE violation, kept as the cause of a duplicate save. */
  uniqueCode: string;
  /** Rows of a query run beside the store (to look at columns the store does not return). */
  query(db: string, sql: string): Promise<unknown[]>;
}

const ENGINES: readonly Engine[] = [
  {
    name: 'sqlite',
    newDb: async (t) => join(tempDir(t), 'pathprobe.sqlite'),
    uniqueCode: 'SQLITE_CONSTRAINT_UNIQUE',
    query: async (db, sql) => {
      const file = new Database(db, { readonly: true });
      try { return file.prepare(sql).all(); } finally { file.close(); }
    },
  },
  {
    name: 'postgres',
    newDb: () => postgres.createDatabase(),
    uniqueCode: '23505',
    query: async (db, sql) => {
      const client = new pg.Client({ connectionString: db, types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format ?? 'text')) } as pg.CustomTypesConfig });
      await client.connect();
      try { return (await client.query(sql)).rows; } finally { await client.end(); }
    },
  },
];

const plan: Plan = {
  tokenFile: '/etc/pathprobe/token',
  agents: [
    { name: 'r12-n1', url: 'https://198.18.12.1:7800', addresses: ['198.18.1.1'], labels: { rack: '12', tor: 'tor12a' } },
    { name: 'r12-n2', url: 'https://198.18.12.2:7800', addresses: 'all', labels: { rack: '12', tor: 'tor12b' } },
  ],
  expect: { pathMtu: 9000, minLinkEfficiency: 0.9 },
  tests: ['pmtu', 'throughput'],
  throughput: { streams: [1, 4], durationMs: 3000, repeats: 2 },
  concurrency: { pmtuParallel: 4, throughput: 'rounds' },
};

const n1 = { agent: 'r12-n1', address: '198.18.1.1' };
const n2 = { agent: 'r12-n2', address: '198.18.1.2' };
const n3 = { agent: 'r12-n2', address: '198.18.2.2' };
const PAIR = pairId(n1, n2);
const PAIR2 = pairId(n1, n3);

const facts: AgentFactsResponse = {
  v: 1, hostname: 'r12-n1', agentVersion: '0.1.0', contractVersions: [1], kernel: '6.8.0-45-generic', cpuCount: 16,
  nics: [{ name: 'ens1f0', mtuBytes: 9000, addresses: ['198.18.1.1/24'], macAddress: '0c:42:a1:00:00:01', speedMbps: 25000, driver: 'mlx5_core', operState: 'up' }],
};

function pmtuReport(forwardMtu: number, reverseMtu: number): PmtuReport {
  const dir = (direction: string, pathMtu: number) => ({
    direction, error: null, verdict: pathMtu === 9000 ? 'ok' as const : 'mtu-mismatch' as const,
    pathMtu, pathFrameBytes: pathMtu + 14, largestOkBytes: pathMtu, smallestFailBytes: pathMtu + 1, icmp: null,
    roundTrip: false, complete: true, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, probes: 14, elapsedMs: 812,
    explanation: `largest DF datagram through is ${pathMtu}`, advice: null,
    probeLog: [{ sizeBytes: 9000, round: 1, sentAtMs: 3, outcome: 'ok' as never, rttMs: 0.21, receivedBytes: 9000, icmp: null, error: null }],
    icmpHints: [],
  });
  const end = (name: string, address: string) => ({ name, url: null, address, hostname: name, agentVersion: '0.1.0', kernel: '6.8.0', cpuCount: 16, nic: facts.nics[0]! });
  return {
    schema: PMTU_REPORT_SCHEMA, mode: 'peer', from: end('r12-n1', n1.address), to: end('r12-n2', n2.address),
    forward: dir('r12-n1 → r12-n2', forwardMtu), reverse: dir('r12-n2 → r12-n1', reverseMtu),
    asymmetric: forwardMtu !== reverseMtu, exitCode: forwardMtu === 9000 && reverseMtu === 9000 ? 0 : 1,
  };
}

function cell(pair: string, key: CellKey, startedAtMs: number, kind: 'ok' | 'error' | 'skipped' = 'ok'): StoredCell {
  const record = kind === 'ok'
    ? {
      ...key, receiverIperfVersion: '3.16',
      result: {
        v: 1, iperfVersion: '3.16', mssBytesObserved: 8948, maxCorePercent: 41.5, elapsedMs: 4100,
        processes: [{
          port: 5201, streams: key.streams, failure: null, bytesSent: 8.9e9, bytesReceived: 8.9e9, bitsPerSecondReceived: 23.7e9,
          retransmits: 12, senderCpuPercent: 30.5, receiverCpuPercent: 44, intervalBitsPerSecond: [23.6e9, 23.8e9, 23.7e9],
          congestionControl: 'cubic', timedOut: false,
        }],
      },
    }
    : kind === 'error'
      ? { ...key, error: { code: 'ERR_AGENT_UNREACHABLE' as const, message: 'connect ECONNREFUSED 198.18.12.2:7800' } }
      : { ...key, skipped: 'stalled-row' as const };
  return { pairId: pair, record, startedAtMs, endedAtMs: startedAtMs + 4200 };
}

const T0 = Date.UTC(2026, 10, 28, 9, 55, 1);
const key = (o: Partial<CellKey> = {}): CellKey => ({ direction: 'forward', row: 'jumbo', streams: 4, repeat: 1, ...o });

function report(runId: string, findings: number, failing: number): RunReport {
  return {
    schema: 'pathprobe.run/v1', runId, startedAt: new Date(T0).toISOString(), finishedAt: new Date(T0 + 60_000).toISOString(),
    status: 'done', plan, facts: {}, pairs: [], rollup: rollUp([], plan.agents), expectations: [], exitCode: failing ? 1 : 0,
    findings: Array.from({ length: findings }, (_, i) => ({
      kind: 'path-mtu' as const, severity: i < failing ? 'fail' as const : 'warn' as const, scope: PAIR,
      title: `finding ${i}`, explanation: 'x', fix: null, repro: [],
    })),
  };
}

for (const engine of ENGINES) {
  test(`${engine.name}: a run is created, facts/pmtu/cells saved, and read back equal after closing and reopening the store`, async (t) => {
    const path = await engine.newDb(t);
    const store = await RunStore.open(path);
    const runId = await store.createRun({ plan, planPath: '/racks/rack12.yaml', startedAtMs: T0 });
    t.regex(runId, RUN_ID_PATTERN);
    t.true(runId.startsWith('r20261128-095501-'));

    const forward = pmtuReport(9000, 1500);
    const cells = [
      cell(PAIR, key({ row: '1500', streams: 1 }), T0 + 10_000),
      cell(PAIR, key({ row: '1500', streams: 1, repeat: 2 }), T0 + 15_000, 'error'),
      cell(PAIR, key({ direction: 'reverse', row: 'jumbo', streams: 4 }), T0 + 20_000, 'skipped'),
    ];
    await store.saveFacts(runId, 'r12-n1', facts);
    await store.saveFacts(runId, 'r12-n2', { error: 'ERR_AGENT_UNREACHABLE: connect ECONNREFUSED' });
    await store.saveFacts(runId, 'r12-n2', { error: 'ERR_AUTH: token rejected' }); // facts are an upsert
    await store.savePmtu(runId, PAIR, { report: forward }, T0 + 5000);
    await store.savePmtu(runId, PAIR2, { error: { code: 'ERR_AGENT_UNREACHABLE', message: 'r12-n2 did not answer' } }, T0 + 6000);
    // saved out of start order (rounds finish in any order): read back by start time
    await store.saveCell(runId, cells[1]!);
    await store.saveCell(runId, cells[0]!);
    await store.saveCell(runId, cells[2]!);
    await store.saveReport(runId, report(runId, 2, 1));
    await store.finishRun(runId, { status: 'done', exitCode: 1, finishedAtMs: T0 + 60_000 });
    await store.close();
    await store.close(); // idempotent

    const again = await openStore(t, path);
    t.deepEqual(await again.getRun(runId), {
      runId, plan, planPath: '/racks/rack12.yaml', status: 'done', startedAtMs: T0, finishedAtMs: T0 + 60_000, exitCode: 1,
    });
    const results = (await again.loadResults(runId))!;
    t.deepEqual(results.facts, { 'r12-n1': facts, 'r12-n2': { error: 'ERR_AUTH: token rejected' } });
    t.deepEqual([...results.pmtu.keys()], [PAIR, PAIR2]);
    t.deepEqual(results.pmtu.get(PAIR), { report: forward });
    t.deepEqual(results.pmtu.get(PAIR2), { error: { code: 'ERR_AGENT_UNREACHABLE', message: 'r12-n2 did not answer' } });
    t.deepEqual(results.cells, cells);
    t.deepEqual(await again.loadReport(runId), report(runId, 2, 1));
    t.is(await again.loadResults('r20000101-000000-0000'), null);
    t.is(await again.loadReport('r20000101-000000-0000'), null);
  });

  test(`${engine.name}: the queried scalars are stored beside the JSON and the schema is migrated once`, async (t) => {
    const path = await engine.newDb(t);
    const store = await RunStore.open(path);
    const runId = await store.createRun({ plan, planPath: null, startedAtMs: T0 });
    await store.savePmtu(runId, PAIR, { report: pmtuReport(9000, 1500) }, T0);
    await store.saveCell(runId, cell(PAIR, key(), T0 + 1, 'error'));
    await store.close();
    await (await RunStore.open(path)).close(); // reopening must not re-run migrations

    t.deepEqual(await engine.query(path, 'SELECT version FROM schema_version'), [{ version: SCHEMA_VERSION }]);
    t.deepEqual(await engine.query(path, 'SELECT forward_verdict, forward_path_mtu, reverse_verdict, reverse_path_mtu, "asymmetric" FROM pmtu'),
      [{ forward_verdict: 'ok', forward_path_mtu: 9000, reverse_verdict: 'mtu-mismatch', reverse_path_mtu: 1500, asymmetric: 1 }]);
    t.deepEqual(await engine.query(path, 'SELECT direction, row_kind, streams, repeat, outcome, error_code, ended_at_ms - started_at_ms AS ms FROM cells'),
      [{ direction: 'forward', row_kind: 'jumbo', streams: 4, repeat: 1, outcome: 'error', error_code: 'ERR_AGENT_UNREACHABLE', ms: 4200 }]);
  });

  test(`${engine.name}: a duplicate cell or pmtu save throws, and the first stays`, async (t) => {
    const store = await openStore(t, await engine.newDb(t));
    const runId = await store.createRun({ plan, planPath: null, startedAtMs: T0 });
    const first = cell(PAIR, key(), T0 + 1000);
    await store.saveCell(runId, first);
    const dupCell = await t.throwsAsync(store.saveCell(runId, cell(PAIR, key(), T0 + 9000, 'error')), { instanceOf: PathprobeError });
    t.is(dupCell.code, 'ERR_INTERNAL');
    t.regex(dupCell.message, /cell .* forward jumbo 4 streams repeat 1 is already stored for run r\d{8}/);
    t.is((dupCell.cause as { code?: string }).code, engine.uniqueCode);
    // the same key in another pair, run or repeat is a different cell
    await store.saveCell(runId, cell(PAIR, key({ repeat: 2 }), T0 + 2000));
    await store.saveCell(runId, cell(PAIR2, key(), T0 + 3000));
    t.deepEqual((await store.loadResults(runId))!.cells.filter((c) => c.pairId === PAIR && c.record.repeat === 1), [first]);

    const report1 = pmtuReport(9000, 9000);
    await store.savePmtu(runId, PAIR, { report: report1 }, T0);
    const dupPmtu = await t.throwsAsync(store.savePmtu(runId, PAIR, { error: { code: 'ERR_INTERNAL', message: 'second' } }, T0 + 1), { instanceOf: PathprobeError });
    t.regex(dupPmtu.message, /path-MTU result of .* is already stored/);
    t.deepEqual((await store.loadResults(runId))!.pmtu.get(PAIR), { report: report1 });

    // an explicit replace overwrites, still one row
    const report2 = pmtuReport(1500, 1500);
    await store.savePmtu(runId, PAIR, { report: report2 }, T0 + 2, { replace: true });
    const pmtu = (await store.loadResults(runId))!.pmtu;
    t.is(pmtu.size, 1);
    t.deepEqual(pmtu.get(PAIR), { report: report2 });

    // a save for a run that does not exist is refused, not silently orphaned
    await t.throwsAsync(store.saveCell('r20000101-000000-0000', first), { instanceOf: PathprobeError, message: /no run r20000101-000000-0000/ });
  });

  test(`${engine.name}: what a resume reads: stored path-MTU outcomes (failures too) and cells, per run`, async (t) => {
    const path = await engine.newDb(t);
    let store = await RunStore.open(path);
    const runId = await store.createRun({ plan, planPath: '/racks/rack12.yaml', startedAtMs: T0 });
    const other = await store.createRun({ plan, planPath: null, startedAtMs: T0 + 1 });
    await store.savePmtu(runId, PAIR, { error: { code: 'ERR_PROBE_FAILED', message: 'x' } }, T0);
    await store.saveCell(runId, cell(PAIR, key({ row: '1500', streams: 1 }), T0, 'skipped'));
    await store.saveReport(runId, report(runId, 1, 1));
    t.true(await store.markInterrupted(runId, T0 + 30_000));
    t.false(await store.markInterrupted(runId), 'an already-interrupted run is left alone');
    await store.close();

    // the resuming process
    store = await openStore(t, path);
    t.like(await store.getRun(runId), { status: 'interrupted', finishedAtMs: T0 + 30_000 });
    await store.resumeRun(runId);
    t.like(await store.getRun(runId), { status: 'running', finishedAtMs: null, exitCode: null });
    t.is(await store.loadReport(runId), null, 'a report of the interrupted part no longer covers the run');

    const stored = (await store.loadResults(runId))!;
    const elsewhere = (await store.loadResults(other))!;
    t.true(stored.pmtu.has(PAIR), 'a stored failure counts, so the retry on resume replaces that row instead of adding one');
    t.false(stored.pmtu.has(PAIR2));
    t.false(elsewhere.pmtu.has(PAIR), 'results belong to their run');
    const done = (results: typeof stored, pairId: string) => new Set(results.cells.filter((c) => c.pairId === pairId).map((c) => cellKeyId(c.record)));
    t.true(done(stored, PAIR).has(cellKeyId(key({ row: '1500', streams: 1 }))));
    for (const k of [key({ row: '1500', streams: 1, repeat: 2 }), key({ row: 'jumbo', streams: 1 }), key({ row: '1500', streams: 4 }), key({ direction: 'reverse', row: '1500', streams: 1 })]) {
      t.false(done(stored, PAIR).has(cellKeyId(k)), JSON.stringify(k));
    }
    t.is(done(stored, PAIR2).size, 0);
    t.is(done(elsewhere, PAIR).size, 0);
    await t.throwsAsync(store.resumeRun('r20000101-000000-0000'), { message: /no run/ });
    await t.throwsAsync(store.finishRun('r20000101-000000-0000', { status: 'done', exitCode: 0, finishedAtMs: 1 }), { message: /no run/ });
    await t.throwsAsync(store.markInterrupted('r20000101-000000-0000'), { message: /no run/ });
  });

  test(`${engine.name}: listRuns newest first with counts; getRun of an unknown id is null`, async (t) => {
    const store = await openStore(t, await engine.newDb(t));
    t.deepEqual(await store.listRuns(), []);
    const oldest = await store.createRun({ plan, planPath: '/racks/a.yaml', startedAtMs: T0 });
    const newest = await store.createRun({ plan, planPath: '/racks/c.yaml', startedAtMs: T0 + 2 * 86_400_000 });
    const middle = await store.createRun({ plan, planPath: '/racks/b.yaml', startedAtMs: T0 + 86_400_000 });
    t.true(oldest < middle && middle < newest, 'run ids sort by start time');

    await store.savePmtu(middle, PAIR, { report: pmtuReport(9000, 9000) }, T0);
    await store.savePmtu(middle, PAIR2, { report: pmtuReport(9000, 9000) }, T0);
    await store.saveCell(middle, cell(PAIR, key(), T0));
    await store.saveCell(middle, cell(PAIR, key({ repeat: 2 }), T0, 'error'));
    await store.saveCell(newest, cell(PAIR2, key(), T0));
    await store.saveReport(middle, report(middle, 3, 2));
    await store.finishRun(middle, { status: 'done', exitCode: 1, finishedAtMs: T0 + 86_500_000 });

    const runs = await store.listRuns();
    t.deepEqual(runs.map((r) => r.runId), [newest, middle, oldest]);
    t.deepEqual(runs[1], {
      runId: middle, planPath: '/racks/b.yaml', status: 'done', startedAtMs: T0 + 86_400_000, finishedAtMs: T0 + 86_500_000, exitCode: 1,
      pairs: 2, pmtu: 2, cells: 2, cellsFailed: 1, findings: 3, failingFindings: 2,
    });
    t.like(runs[0], { status: 'running', pairs: 1, pmtu: 0, cells: 1, cellsFailed: 0, findings: null, failingFindings: null });
    t.like(runs[2], { pairs: 0, pmtu: 0, cells: 0, findings: null });
    t.deepEqual((await store.listRuns(1)).map((r) => r.runId), [newest]);

    t.is(await store.getRun('r20000101-000000-0000'), null);
    t.is(await store.getRun(''), null);
  });
}

test('a write is durable without close(): the writer is SIGKILLed right after its save returns', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'pathprobe.sqlite');
  const script = join(dir, 'writer.mjs');
  writeFileSync(script, `
    import { RunStore } from ${JSON.stringify(RUN_STORE_JS)};
    const [path, planJson, cellJson] = process.argv.slice(2);
    const store = await RunStore.open(path);
    const runId = await store.createRun({ plan: JSON.parse(planJson), planPath: null, startedAtMs: ${T0} });
    const c = JSON.parse(cellJson);
    await store.saveCell(runId, c);
    process.stdout.write(runId + '\\n', () => process.kill(process.pid, 'SIGKILL'));
  `);
  const saved = cell(PAIR, key(), T0 + 500);
  const child = spawn(process.execPath, [script, path, JSON.stringify(plan), JSON.stringify(saved)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
  t.is(signal, 'SIGKILL', stderr);
  const runId = stdout.trim();
  t.regex(runId, RUN_ID_PATTERN);
  // the writer never closed the file: what it committed is still in the write-ahead log
  t.true(existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0);

  const store = await openStore(t, path);
  t.like(await store.getRun(runId), { status: 'running', plan });
  t.deepEqual((await store.loadResults(runId))!.cells, [saved]);
});

test('an unopenable path (a directory, /proc/x/y, not an SQLite file, a newer schema) gives ERR_USAGE with one line', async (t) => {
  const dir = tempDir(t);
  const junk = join(dir, 'notes.txt');
  writeFileSync(junk, 'this is not a database, just some text that is long enough to have a header\n'.repeat(20));
  const newer = join(dir, 'newer.sqlite');
  await (await RunStore.open(newer)).close();
  const db = new Database(newer);
  db.prepare('INSERT INTO schema_version (version, description, applied_at_ms) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 0);
  db.close();

  const cases: [string, RegExp][] = [
    [dir, /: it is a directory$/],
    ['/proc/x/y', /: its directory does not exist$/],
    [junk, /: file is not a database$/],
    [newer, new RegExp(`: its schema version ${SCHEMA_VERSION + 1} is newer than this pathprobe supports`)],
  ];
  for (const [path, reason] of cases) {
    const error = await t.throwsAsync(RunStore.open(path), { instanceOf: PathprobeError });
    t.is(error.code, 'ERR_USAGE', path);
    t.true(error.message.startsWith(`cannot open --db ${path}: `), error.message);
    t.regex(error.message, reason);
    t.false(error.message.includes('\n'), error.message);
    t.truthy(error.cause, 'the driver error is kept as the cause');
  }
});


test('an unreachable or refusing PostgreSQL, or one with a newer schema, gives ERR_USAGE with one line and never the password', async (t) => {
  const live = await postgres.createDatabase();
  const store = await RunStore.open(live);
  await store.close();
  await engine('postgres').query(live, `INSERT INTO schema_version (version, description, applied_at_ms) VALUES (${SCHEMA_VERSION + 1}, 'future', 0)`);
  const port = await freePort();
  const withPassword = (url: string) => url.replace('pathprobe@', 'pathprobe:s3cret-pw@');

  const cases: [string, string, RegExp][] = [
    [`postgres://pathprobe:s3cret-pw@127.0.0.1:${port}/runs`, `postgres://pathprobe:***@127.0.0.1:${port}/runs`, /: connection refused$/],
    [`postgresql://pathprobe:s3cret-pw@127.0.0.1:${postgres.port}/nosuchdb?sslpassword=s3cret-pw`,
      `postgresql://pathprobe:***@127.0.0.1:${postgres.port}/nosuchdb?sslpassword=***`, /: database "nosuchdb" does not exist$/],
    [withPassword(live), withPassword(live).replace('s3cret-pw', '***'), new RegExp(`: its schema version ${SCHEMA_VERSION + 1} is newer than this pathprobe supports`)],
  ];
  for (const [url, shown, reason] of cases) {
    const error = await t.throwsAsync(RunStore.open(url), { instanceOf: PathprobeError });
    t.is(error.code, 'ERR_USAGE', url);
    t.true(error.message.startsWith(`cannot open --db ${shown}: `), error.message);
    t.regex(error.message, reason);
    t.false(error.message.includes('s3cret-pw'), error.message);
    t.false(error.message.includes('\n'), error.message);
    t.truthy(error.cause, 'the driver error is kept as the cause');
  }
});

function engine(name: Engine['name']): Engine {
  return ENGINES.find((e) => e.name === name)!;
}

test('two stores writing runs into one PostgreSQL database at the same time: unique run ids, nothing lost, no run mixed with another', async (t) => {
  const db = await postgres.createDatabase();
  // Both open (and so migrate) the new database at once: one creates the schema, the other waits for it.
  const stores = await Promise.all([RunStore.open(db), RunStore.open(db)]);
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  const RUNS = 6;
  const CELLS = 5;
  // Both draw the same run id candidates, in the same order: every id is raced for.
  const sameIds = () => {
    let n = 0;
    return () => `r20261128-095501-${(n++ % 0x10000).toString(16).padStart(4, '0')}`;
  };
  const writer = async (store: RunStore, name: string): Promise<string[]> => {
    const nextId = sameIds();
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i += 1) runIds.push(await store.createRun({ plan, planPath: `${name}-${i}.yaml`, startedAtMs: T0 }, nextId));
    // The runs of one controller are measured at once too, their saves interleaving with the other's.
    await Promise.all(runIds.map(async (runId, i) => {
      await store.saveFacts(runId, 'r12-n1', { ...facts, hostname: `${name}-${i}` });
      await store.savePmtu(runId, PAIR, { report: pmtuReport(9000, 1500 + i) }, T0 + i);
      for (let c = 1; c <= CELLS; c += 1) await store.saveCell(runId, cell(PAIR, key({ repeat: c }), T0 + c));
      await store.saveReport(runId, report(runId, i, 0));
      await store.finishRun(runId, { status: 'done', exitCode: 0, finishedAtMs: T0 + 60_000 });
    }));
    return runIds;
  };
  const [a, b] = await Promise.all([writer(stores[0], 'a'), writer(stores[1], 'b')]);

  const all = [...a, ...b];
  t.is(new Set(all).size, 2 * RUNS, 'no run id given twice');
  const listed = await stores[1].listRuns(100);
  t.deepEqual(listed.map((r) => r.runId).sort(), [...all].sort());
  for (const [name, runIds] of [['a', a], ['b', b]] as const) {
    for (const [i, runId] of runIds.entries()) {
      const run = (await stores[0].getRun(runId))!;
      t.is(run.planPath, `${name}-${i}.yaml`, 'the run belongs to the store that created it');
      const results = (await stores[0].loadResults(runId))!;
      t.is((results.facts['r12-n1'] as AgentFactsResponse).hostname, `${name}-${i}`);
      t.like(results.pmtu.get(PAIR), { report: { reverse: { pathMtu: 1500 + i } } });
      t.deepEqual(results.cells.map((c) => c.record.repeat), [1, 2, 3, 4, 5]);
      t.is((await stores[0].loadReport(runId))!.findings.length, i);
      t.like(listed.find((r) => r.runId === runId), { status: 'done', pmtu: 1, cells: CELLS, pairs: 1 });
    }
  }
  t.deepEqual(await engine('postgres').query(db, 'SELECT version FROM schema_version'), [{ version: SCHEMA_VERSION }], 'migrated once');
});

test('SQLite and PostgreSQL get the same tables, columns and nullability from the migrations', async (t) => {
  const sqlitePath = await engine('sqlite').newDb(t);
  const postgresUrl = await postgres.createDatabase();
  await (await RunStore.open(sqlitePath)).close();
  await (await RunStore.open(postgresUrl)).close();

  const file = new Database(sqlitePath, { readonly: true });
  const pool = new pg.Pool({ connectionString: postgresUrl });
  const dbs = [
    new Kysely<unknown>({ dialect: new SqliteDialect({ database: file }) }),
    new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }),
  ];
  t.teardown(() => Promise.all(dbs.map((db) => db.destroy())));
  // A primary key is NOT NULL in PostgreSQL; SQLite enforces that only for INTEGER keys, so its
  // TEXT keys count as NOT NULL here (pathprobe never writes a NULL key).
  const sqliteKey = (table: string, column: string) =>
    (file.prepare(`SELECT pk FROM pragma_table_info(?) WHERE name = ?`).get(table, column) as { pk: number }).pk > 0;
  const [sqlite, postgresql] = await Promise.all(dbs.map(async (db, i) => {
    const tables = await db.introspection.getTables();
    return Object.fromEntries(tables.map((table) => [table.name, table.columns.map((c) => {
      const notNull = !c.isNullable || (i === 0 && sqliteKey(table.name, c.name));
      return `${c.name}${notNull ? ' NOT NULL' : ''}`;
    })]));
  }));
  t.deepEqual(Object.keys(sqlite!).sort(), ['baselines', 'cells', 'facts', 'pmtu', 'reports', 'runs', 'schema_version']);
  t.deepEqual(postgresql, sqlite);
});
