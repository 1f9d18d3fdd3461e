import test from 'ava';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { EXIT_CANNOT_RUN, exitCodeOf } from '../../controller/model/exitCodes.js';
import type { Plan } from '../../controller/model/plan.js';
import type { RunReport } from '../../controller/model/runReport.js';
import { RunStore } from '../../controller/store/RunStore.js';
import { storeFaultOf, writeError } from '../../controller/store/storeErrors.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { mountTmpfs } from '../helpers/tmpfs.js';

const driverError = (code: string, message = 'driver says no'): Error => Object.assign(new Error(message), { code });

test('a full disk, a read-only store and a failed write are told apart by the drivers\' codes, on both engines', (t) => {
  t.deepEqual(storeFaultOf(driverError('SQLITE_FULL')), { fault: 'full', code: 'SQLITE_FULL' });
  t.deepEqual(storeFaultOf(driverError('53100', 'could not extend file "base/16384/2619": No space left on device')), { fault: 'full', code: '53100 disk_full' });
  t.deepEqual(storeFaultOf(driverError('ENOSPC')), { fault: 'full', code: 'ENOSPC' });
  t.deepEqual(storeFaultOf(driverError('SQLITE_READONLY')), { fault: 'read-only', code: 'SQLITE_READONLY' });
  t.deepEqual(storeFaultOf(driverError('SQLITE_READONLY_DBMOVED')), { fault: 'read-only', code: 'SQLITE_READONLY_DBMOVED' });
  t.deepEqual(storeFaultOf(driverError('25006')), { fault: 'read-only', code: '25006 read_only_sql_transaction' });
  t.deepEqual(storeFaultOf(driverError('SQLITE_IOERR_WRITE')), { fault: 'io', code: 'SQLITE_IOERR_WRITE' });
  t.deepEqual(storeFaultOf(driverError('58030')), { fault: 'io', code: '58030 io_error' });
  for (const other of [driverError('SQLITE_CONSTRAINT_UNIQUE'), driverError('23505'), new Error('no code'), 'a string', null]) {
    t.is(storeFaultOf(other), null, String(other));
  }
});

test('a refused write is one ERR_STORE line (exit 3) saying what was not stored, that nothing else is lost, and how to resume', (t) => {
  const cause = driverError('SQLITE_FULL', 'database or disk is full');
  const error = writeError(cause, { what: 'the path-MTU result of h1/198.18.1.1~h2/198.18.1.2', location: '/var/lib/pathprobe.sqlite', engine: 'sqlite', resumeRunId: 'r20261128-095501-3fa9' });
  t.true(error instanceof PathprobeError);
  const failure = error as PathprobeError;
  t.is(failure.code, 'ERR_STORE');
  t.is(failure.message, 'cannot store the path-MTU result of h1/198.18.1.1~h2/198.18.1.2: the disk holding /var/lib/pathprobe.sqlite is full (SQLITE_FULL); '
    + 'everything stored so far is kept; free space, then: pathprobe run --resume r20261128-095501-3fa9 --db /var/lib/pathprobe.sqlite');
  t.is(failure.cause, cause);
  t.is(exitCodeOf(failure), EXIT_CANNOT_RUN);

  const postgres = writeError(driverError('53100'), { what: 'a new run', location: 'postgres://pathprobe:***@db:5432/runs', engine: 'postgres', resumeRunId: null }) as PathprobeError;
  t.is(postgres.message, 'cannot store a new run: the PostgreSQL server of postgres://pathprobe:***@db:5432/runs is out of disk space (53100 disk_full); everything stored so far is kept; free space, then try again');
  const readOnly = writeError(driverError('SQLITE_READONLY'), { what: 'the facts of h1', location: 'p.sqlite', engine: 'sqlite', resumeRunId: 'r1' }) as PathprobeError;
  t.regex(readOnly.message, /: p\.sqlite is on a read-only file system \(SQLITE_READONLY\); .*; make it writable, then: pathprobe run --resume r1 --db p\.sqlite$/);

  const unrelated = driverError('SQLITE_CONSTRAINT_UNIQUE');
  t.is(writeError(unrelated, { what: 'x', location: 'p.sqlite', engine: 'sqlite', resumeRunId: null }), unrelated, 'not the store\'s fault: left as it is');
});

const plan: Plan = {
  tokenFile: '/etc/pathprobe/token',
  agents: [{ name: 'h1', url: 'http://198.18.0.1:7800', addresses: ['198.18.1.1'], labels: {} }],
  tests: ['pmtu'],
} as unknown as Plan;

test.serial('an SQLite store whose disk fills refuses the next save with ERR_STORE, keeps every earlier one, stays sound, and takes saves again once there is room', async (t) => {
  const disk = mountTmpfs(t, '256k');
  const path = join(disk.dir, 'pathprobe.sqlite');
  const store = await RunStore.open(path);
  t.teardown(() => store.close());
  const runId = await store.createRun({ plan, planPath: null, startedAtMs: Date.now() });
  const outcome = { error: { code: 'ERR_PROBE_FAILED' as const, message: 'x'.repeat(3000) } };
  let saved = 0;
  let refused: unknown;
  for (; saved < 500; saved += 1) {
    try {
      await store.savePmtu(runId, `p${saved}`, outcome, Date.now());
    } catch (error) {
      refused = error;
      break;
    }
  }
  t.true(saved > 0 && saved < 500, `${saved} saves before the disk filled`);
  t.true(refused instanceof PathprobeError, String(refused));
  const failure = refused as PathprobeError;
  t.is(failure.code, 'ERR_STORE');
  t.is(failure.message, `cannot store the path-MTU result of p${saved}: the disk holding ${path} is full (SQLITE_FULL); everything stored so far is kept; free space, then: pathprobe run --resume ${runId} --db ${path}`);
  t.is((failure.cause as { code?: string }).code, 'SQLITE_FULL');
  t.is((await store.loadResults(runId))!.pmtu.size, saved, 'every save before the full disk is kept');
  const check = new Database(path, { readonly: true });
  t.is(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();

  // The run's end and its report are one write: refused, the run is neither done nor reported, so --resume takes it.
  const report = { runId, findings: [], exitCode: 0, notes: 'x'.repeat(100_000) } as unknown as RunReport;
  const notFinished = await t.throwsAsync(store.finishRun(runId, { status: 'done', exitCode: 0, finishedAtMs: Date.now() }, report), { instanceOf: PathprobeError });
  t.is(notFinished.code, 'ERR_STORE', notFinished.message);
  t.true(notFinished.message.startsWith(`cannot store the end of run ${runId}: the disk holding ${path} is full (SQLITE_FULL); `), notFinished.message);
  t.is((await store.getRun(runId))!.status, 'running');
  t.is(await store.loadReport(runId), null);

  disk.remount('size=4m');
  await store.savePmtu(runId, `p${saved}`, outcome, Date.now());
  t.is((await store.loadResults(runId))!.pmtu.size, saved + 1);
  await store.finishRun(runId, { status: 'done', exitCode: 0, finishedAtMs: Date.now() }, report);
  t.is((await store.getRun(runId))!.status, 'done');
  t.is((await store.loadReport(runId))?.runId, runId);
});

test.serial('a store on a read-only file system, new or existing, is one line naming the read-only directory', async (t) => {
  const disk = mountTmpfs(t, '1m');
  const existing = join(disk.dir, 'pathprobe.sqlite');
  await (await RunStore.open(existing)).close();
  disk.remount('ro');
  // An existing one too: SQLite's WAL mode creates its -shm file beside the store even to read it.
  for (const path of [join(disk.dir, 'new.sqlite'), existing]) {
    const error = await t.throwsAsync(RunStore.open(path), { instanceOf: PathprobeError });
    t.is(error.code, 'ERR_USAGE');
    t.is(error.message, `cannot open --db ${path}: its directory ${disk.dir} is on a read-only file system`);
  }
});

test('a missing store directory is one line naming it', async (t) => {
  const error = await t.throwsAsync(RunStore.open('/nonexistent-pathprobe-dir/pathprobe.sqlite'), { instanceOf: PathprobeError });
  t.is(error.message, 'cannot open --db /nonexistent-pathprobe-dir/pathprobe.sqlite: its directory does not exist');
});
