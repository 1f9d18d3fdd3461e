import type { ComparedRunReport } from '../diff/runComparison.js';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { PathprobeError } from '../../proto/errorCodes.js';
import { dbTarget, type DbTarget } from './dbTarget.js';
import { migrate, migratePostgres } from './migrations.js';
import { newRunId } from './runId.js';
import { cellFromRow, cellToColumns, factsFromRow, factsToRow, pmtuFromRow, pmtuToColumns, reportToColumns, runFromRow } from './rowMapping.js';
import { noRun, openError, saveError, writeError } from './storeErrors.js';
import type { StoreTables } from './storeTables.js';
import type { StoredCell } from '../model/cellRecord.js';
import type { Plan } from '../model/plan.js';
import type { RunStatus } from '../model/runReport.js';
import type { PmtuOutcome, RunResults, StoredFacts, StoredRun } from '../model/runResults.js';



/*
 * The database every commissioning run writes to while it measures (`--db`): an SQLite file
 * (default pathprobe.sqlite) or a PostgreSQL database (`--db postgres://…`), the same schema and
 * the same queries (kysely builds them for either engine).
 *
 * Durability: every save is ONE statement in autocommit mode, i.e. its own committed transaction,
 * finished before the method's promise resolves; the few reads-then-writes (resume, baseline) are one
 * explicit transaction each. There is deliberately no batching and no long-lived transaction:
 * anything held in an open transaction (or in memory) when the user presses Ctrl-C, the controller
 * crashes or is SIGKILLed would be lost, and `--resume` would then measure it again or, worse, miss
 * it. A cell takes seconds to measure; one commit takes about a millisecond, so the cost is nothing.
 * SQLite's WAL mode: a commit is an append to the -wal file, which the next open replays, so a killed process
 * loses nothing it committed. synchronous=FULL additionally fsyncs the WAL at every commit, so even
 * power loss / a kernel panic of the controller host keeps every committed result (NORMAL would be
 * process-crash safe but could drop the last commits on power loss; at one commit per measurement
 * FULL costs nothing measurable).
 * PostgreSQL commits durably by default (synchronous_commit = on); pathprobe leaves that alone.
 * UNIQUE constraints make "no duplicate cells" a property of the database, not of the caller, and
 * run ids are inserted only if new (retrying another on a clash), so controllers sharing one
 * PostgreSQL database never mix their runs.
 */

export interface RunSummary {
  runId: string;
  planPath: string | null;
  status: RunStatus;
  startedAtMs: number;
  finishedAtMs: number | null;
  exitCode: number | null;
  /** Distinct pairs with any stored result (path MTU or a throughput cell). */
  pairs: number;
  /** Pairs with a stored path-MTU result (a report or an error). */
  pmtu: number;
  /** Throughput cells stored, and how many of them are errors. */
  cells: number;
  cellsFailed: number;
  /** From the stored final report; null until one is saved. */
  findings: number | null;
  failingFindings: number | null;
}

/** The run a plan's later runs are compared with (`pathprobe baseline set`, `run --compare baseline`). */
export interface Baseline {
  planKey: string;
  runId: string;
  /** How the plan was named when the baseline was set (a plan file, or the run's agents); for messages only. */
  planLabel: string | null;
  setAtMs: number;
}


/** int8 (BIGINT, and COUNT(*)) as a JS number: exact for millisecond times and counts. */
const PG_INT8_OID = 20;
const postgresTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === PG_INT8_OID ? Number : pg.types.getTypeParser(oid, format ?? 'text'))) as typeof pg.types.getTypeParser,
};

/** How long opening a PostgreSQL database waits for the server before saying so. */
const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

export class RunStore {
  /** Where the runs are, as messages show it: the file path, or the URL without its password. */
  readonly location: string;
  readonly engine: DbTarget['engine'];
  private readonly db: Kysely<StoreTables>;
  /** Closed by close() itself: kysely closes only a file it has run a query on. */
  private readonly sqliteFile: Database.Database | null;
  private closed = false;

  private constructor(target: DbTarget, db: Kysely<StoreTables>, sqliteFile: Database.Database | null = null) {
    this.location = target.shown;
    this.engine = target.engine;
    this.db = db;
    this.sqliteFile = sqliteFile;
  }

  /**
   * Opens (creating if missing) the store `--db` names, an SQLite path or a postgres:// URL, and
   * brings its schema up to date. Any failure (a directory, a missing parent directory, no
   * permission, not an SQLite file, no server, a refused login, a schema from a newer pathprobe) is
   * `ERR_USAGE: cannot open --db WHERE: <reason>`, the URL without its password.
   */
  static async open(db: string): Promise<RunStore> {
    const target = dbTarget(db);
    return target.engine === 'sqlite' ? RunStore.openSqlite(target) : RunStore.openPostgres(target);
  }

  private static openSqlite(target: Extract<DbTarget, { engine: 'sqlite' }>): RunStore {
    let file: Database.Database | undefined;
    try {
      // timeout: wait (rather than fail) while another pathprobe process holds the write lock.
      file = new Database(target.path, { timeout: 5000 });
      file.pragma('journal_mode = WAL');
      file.pragma('synchronous = FULL');
      file.pragma('foreign_keys = ON');
      migrate(file);
      return new RunStore(target, new Kysely<StoreTables>({ dialect: new SqliteDialect({ database: file }) }), file);
    } catch (error) {
      try { file?.close(); } catch { /* already failing */ }
      throw openError(target, error);
    }
  }

  private static async openPostgres(target: Extract<DbTarget, { engine: 'postgres' }>): Promise<RunStore> {
    let pool: pg.Pool;
    try {
      pool = new pg.Pool({
        connectionString: target.url, types: postgresTypes, application_name: 'pathprobe',
        connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
      });
    } catch (error) {
      throw openError(target, error);
    }
    // An idle pooled connection the server drops (a restart) must not crash the controller: the
    // pool discards it, and the next save opens another or fails with its own error.
    pool.on('error', () => {});
    const db = new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migratePostgres(db);
      return new RunStore(target, db);
    } catch (error) {
      await db.destroy().catch(() => { /* already failing */ });
      throw openError(target, error);
    }
  }

  /**
   * Registers a new run with status 'running' and returns its id, e.g. `r20261128-095501-3fa9`.
   * `nextRunId` draws the candidates (tests make them clash).
   */
  async createRun(input: { plan: Plan; planPath: string | null; startedAtMs: number }, nextRunId: (startedAtMs: number) => string = newRunId): Promise<string> {
    const planJson = JSON.stringify(input.plan);
    // An id already taken (a run started in the same second, here or by another controller) is
    // left alone and another drawn: the insert only happens when the id is new.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const runId = nextRunId(input.startedAtMs);
      let inserted;
      try {
        inserted = await this.db.insertInto('runs')
          .values({ run_id: runId, plan_json: planJson, plan_path: input.planPath, status: 'running', started_at_ms: input.startedAtMs })
          .onConflict((oc) => oc.column('run_id').doNothing())
          .executeTakeFirst();
      } catch (error) {
        throw this.refused(error, 'a new run', null);
      }
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return runId;
    }
    throw new PathprobeError('ERR_INTERNAL', `no free run id for a run started at ${new Date(input.startedAtMs).toISOString()} after 20 tries in ${this.location}`);
  }

  async getRun(runId: string): Promise<StoredRun | null> {
    const row = await this.db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    return row ? runFromRow(row) : null;
  }

  /** A run the user named: ERR_USAGE (exit 2) saying where to look when this store has no such run. */
  async requireRun(runId: string): Promise<StoredRun> {
    return (await this.requireRuns([runId]))[0]!;
  }

  /** Runs the user named, in order; one ERR_USAGE naming every one this store does not hold. */
  async requireRuns(runIds: readonly string[]): Promise<StoredRun[]> {
    const runs = await Promise.all(runIds.map((runId) => this.getRun(runId)));
    const missing = [...new Set(runIds.filter((_, i) => runs[i] === null))];
    if (missing.length) throw noRun(missing, this.location);
    return runs as StoredRun[];
  }

  /** An agent's facts (or why they could not be fetched) for this run; saving again replaces them. */
  async saveFacts(runId: string, agent: string, facts: StoredFacts, savedAtMs: number = Date.now()): Promise<void> {
    try {
      await this.db.insertInto('facts')
        .values({ run_id: runId, agent, ...factsToRow(facts), saved_at_ms: savedAtMs })
        .onConflict((oc) => oc.columns(['run_id', 'agent']).doUpdateSet((eb) => ({
          facts_json: eb.ref('excluded.facts_json'), error: eb.ref('excluded.error'), saved_at_ms: eb.ref('excluded.saved_at_ms'),
        })))
        .execute();
    } catch (error) {
      throw this.refused(saveError(error, { runId, storePath: this.location, duplicate: `facts of ${agent}` }), `the facts of ${agent}`, runId);
    }
  }

  /**
   * A pair's path-MTU result, committed at once. A second save of the same pair throws (ERR_INTERNAL)
   * and keeps the first, unless `{ replace: true }` says to overwrite it deliberately.
   */
  async savePmtu(runId: string, pairId: string, result: PmtuOutcome, measuredAtMs: number, options: { replace?: boolean } = {}): Promise<void> {
    const insert = this.db.insertInto('pmtu').values({ run_id: runId, pair_id: pairId, ...pmtuToColumns(result), measured_at_ms: measuredAtMs });
    try {
      if (!options.replace) {
        await insert.execute();
        return;
      }
      await insert.onConflict((oc) => oc.columns(['run_id', 'pair_id']).doUpdateSet((eb) => ({
        report_json: eb.ref('excluded.report_json'), error_code: eb.ref('excluded.error_code'),
        error_message: eb.ref('excluded.error_message'), forward_verdict: eb.ref('excluded.forward_verdict'),
        forward_path_mtu: eb.ref('excluded.forward_path_mtu'), reverse_verdict: eb.ref('excluded.reverse_verdict'),
        reverse_path_mtu: eb.ref('excluded.reverse_path_mtu'), asymmetric: eb.ref('excluded.asymmetric'),
        exit_code: eb.ref('excluded.exit_code'), measured_at_ms: eb.ref('excluded.measured_at_ms'),
      }))).execute();
    } catch (error) {
      throw this.refused(saveError(error, { runId, storePath: this.location, duplicate: `the path-MTU result of ${pairId}` }), `the path-MTU result of ${pairId}`, runId);
    }
  }

  /** One throughput cell, committed at once. Its key (pair, direction, row, streams, repeat) must be new: a duplicate throws and keeps the first. */
  async saveCell(runId: string, cell: StoredCell): Promise<void> {
    try {
      await this.db.insertInto('cells').values({ run_id: runId, ...cellToColumns(cell) }).execute();
    } catch (error) {
      const r = cell.record;
      const name = `cell ${cell.pairId} ${r.direction} ${r.row} ${r.streams} streams repeat ${r.repeat}`;
      throw this.refused(saveError(error, { runId, storePath: this.location, duplicate: name }), `the throughput ${name}`, runId);
    }
  }

  /**
   * The run's end, with its final report when given, in one transaction: a run is never marked
   * done without its report (a full disk between the two would leave a finished run `--resume`
   * refuses and `runs` shows without findings); when the write fails the run stays resumable.
   */
  async finishRun(runId: string, end: { status: 'done' | 'interrupted'; exitCode: number; finishedAtMs: number }, report?: ComparedRunReport): Promise<void> {
    try {
      await this.inTransaction(async (trx) => {
        const result = await trx.updateTable('runs')
          .set({ status: end.status, exit_code: end.exitCode, finished_at_ms: end.finishedAtMs })
          .where('run_id', '=', runId)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw noRun([runId], this.location);
        if (report) await upsertReport(trx, runId, report, end.finishedAtMs);
      });
    } catch (error) {
      throw this.refused(error, `the end of run ${runId}`, runId);
    }
  }

  /**
   * Marks a still-running run interrupted (Ctrl-C handler, or a run found 'running' that no process
   * owns). Returns false when it had already finished, which it leaves alone.
   */
  async markInterrupted(runId: string, finishedAtMs: number = Date.now()): Promise<boolean> {
    const result = await this.db.updateTable('runs')
      .set({ status: 'interrupted', finished_at_ms: finishedAtMs })
      .where('run_id', '=', runId).where('status', '=', 'running')
      .executeTakeFirst()
      .catch((error: unknown) => { throw this.refused(error, `that run ${runId} stopped`, runId); });
    const changed = Number(result.numUpdatedRows) > 0;
    if (!changed && !(await this.getRun(runId))) throw noRun([runId], this.location);
    return changed;
  }

  /** `--resume`: the run is 'running' again; a final report saved earlier is dropped (it no longer covers the run). */
  async resumeRun(runId: string): Promise<void> {
    try {
      await this.inTransaction(async (trx) => {
        const resumed = await trx.updateTable('runs')
          .set({ status: 'running', finished_at_ms: null, exit_code: null })
          .where('run_id', '=', runId)
          .executeTakeFirst();
        if (Number(resumed.numUpdatedRows) === 0) throw noRun([runId], this.location);
        await trx.deleteFrom('reports').where('run_id', '=', runId).execute();
      });
    } catch (error) {
      throw this.refused(error, `that run ${runId} resumes`, runId);
    }
  }

  /** Newest first, for `pathprobe runs`. */
  async listRuns(limit = 50): Promise<RunSummary[]> {
    const rows = await this.db.selectFrom('runs as r')
      .leftJoin('reports as rep', 'rep.run_id', 'r.run_id')
      .select(['r.run_id', 'r.plan_path', 'r.status', 'r.started_at_ms', 'r.finished_at_ms', 'r.exit_code', 'rep.findings', 'rep.failing'])
      .select((eb) => [
        eb.selectFrom(
          eb.selectFrom('pmtu').select('pair_id').whereRef('pmtu.run_id', '=', 'r.run_id')
            .union(eb.selectFrom('cells').select('pair_id').whereRef('cells.run_id', '=', 'r.run_id'))
            .as('run_pairs'),
        ).select((sub) => sub.fn.countAll().as('n')).as('pairs'),
        eb.selectFrom('pmtu').select((sub) => sub.fn.countAll().as('n')).whereRef('pmtu.run_id', '=', 'r.run_id').as('pmtu'),
        eb.selectFrom('cells').select((sub) => sub.fn.countAll().as('n')).whereRef('cells.run_id', '=', 'r.run_id').as('cells'),
        eb.selectFrom('cells').select((sub) => sub.fn.countAll().as('n')).whereRef('cells.run_id', '=', 'r.run_id').where('cells.outcome', '=', 'error').as('cells_failed'),
      ])
      .orderBy('r.started_at_ms', 'desc').orderBy('r.run_id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      runId: r.run_id, planPath: r.plan_path, status: r.status, startedAtMs: r.started_at_ms,
      finishedAtMs: r.finished_at_ms, exitCode: r.exit_code,
      pairs: Number(r.pairs), pmtu: Number(r.pmtu), cells: Number(r.cells), cellsFailed: Number(r.cells_failed),
      findings: r.findings, failingFindings: r.failing,
    }));
  }

  /** Everything measured in a run, in measurement order; null for an unknown run. */
  async loadResults(runId: string): Promise<RunResults | null> {
    if (!(await this.getRun(runId))) return null;
    const [factRows, pmtuRows, cellRows] = await Promise.all([
      this.db.selectFrom('facts').select(['agent', 'facts_json', 'error']).where('run_id', '=', runId).orderBy('saved_at_ms').orderBy('agent').execute(),
      this.db.selectFrom('pmtu').select(['pair_id', 'report_json', 'error_code', 'error_message']).where('run_id', '=', runId).orderBy('measured_at_ms').orderBy('id').execute(),
      this.db.selectFrom('cells').select(['pair_id', 'record_json', 'started_at_ms', 'ended_at_ms']).where('run_id', '=', runId).orderBy('started_at_ms').orderBy('id').execute(),
    ]);
    const facts: Record<string, StoredFacts> = {};
    for (const row of factRows) facts[row.agent] = factsFromRow(row);
    const pmtu = new Map<string, PmtuOutcome>();
    for (const row of pmtuRows) pmtu.set(row.pair_id, pmtuFromRow(row));
    return { facts, pmtu, cells: cellRows.map(cellFromRow) };
  }

  /** The rolled-up report of a run (replaces an earlier one), for `pathprobe report RUN_ID` and baselines. */
  async saveReport(runId: string, report: ComparedRunReport, savedAtMs: number = Date.now()): Promise<void> {
    try {
      await upsertReport(this.db, runId, report, savedAtMs);
    } catch (error) {
      throw this.refused(saveError(error, { runId, storePath: this.location, duplicate: 'the report' }), `the report of run ${runId}`, null);
    }
  }

  async loadReport(runId: string): Promise<ComparedRunReport | null> {
    const row = await this.db.selectFrom('reports').select('report_json').where('run_id', '=', runId).executeTakeFirst();
    return row ? (JSON.parse(row.report_json) as ComparedRunReport) : null;
  }

  /**
   * Makes `runId` the baseline of the plan `planKey` (see controller/diff/planKey.ts), replacing any
   * earlier one, and returns the one it replaced (null if none). An unknown run throws `no run …`.
   */
  async setBaseline(runId: string, planKey: string, options: { planLabel?: string | null; setAtMs?: number } = {}): Promise<Baseline | null> {
    return this.inTransaction(async (trx) => {
      const previous = await baselineOf(trx, planKey);
      try {
        await trx.insertInto('baselines')
          .values({ plan_key: planKey, run_id: runId, plan_label: options.planLabel ?? null, set_at_ms: options.setAtMs ?? Date.now() })
          .onConflict((oc) => oc.column('plan_key').doUpdateSet((eb) => ({
            run_id: eb.ref('excluded.run_id'), plan_label: eb.ref('excluded.plan_label'), set_at_ms: eb.ref('excluded.set_at_ms'),
          })))
          .execute();
      } catch (error) {
        throw saveError(error, { runId, storePath: this.location, duplicate: `the baseline of ${planKey}` });
      }
      return previous;
    }).catch((error: unknown) => { throw this.refused(error, `the baseline of run ${runId}`, null); });
  }

  /** The baseline of a plan, or null when none was set. */
  async getBaseline(planKey: string): Promise<Baseline | null> {
    return baselineOf(this.db, planKey);
  }

  /**
   * One explicit transaction that rejects with the error of its statement or of its COMMIT: SQLite
   * rolls a transaction back on its own when either fails with SQLITE_FULL (and some I/O errors),
   * so the ROLLBACK after it fails with "no transaction is active", which must not hide why.
   */
  private async inTransaction<T>(body: (trx: Kysely<StoreTables>) => Promise<T>): Promise<T> {
    const trx = await this.db.startTransaction().execute();
    let result: T;
    try {
      result = await body(trx);
      await trx.commit().execute();
    } catch (error) {
      await trx.rollback().execute().catch(() => { /* already rolled back by the database */ });
      throw error;
    }
    return result;
  }

  /** A write the store itself refused (full, read-only, I/O) as ERR_STORE; any other error as it is. */
  private refused(error: unknown, what: string, resumeRunId: string | null): unknown {
    return writeError(error, { what, location: this.location, engine: this.engine, resumeRunId });
  }

  /**
   * Idempotent. Not needed for durability (every save is already committed): it checkpoints
   * SQLite's WAL into the main file, and ends the PostgreSQL connections.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
    if (this.sqliteFile?.open) this.sqliteFile.close();
  }
}

async function upsertReport(db: Kysely<StoreTables>, runId: string, report: ComparedRunReport, savedAtMs: number): Promise<void> {
  await db.insertInto('reports')
    .values({ run_id: runId, ...reportToColumns(report), saved_at_ms: savedAtMs })
    .onConflict((oc) => oc.column('run_id').doUpdateSet((eb) => ({
      report_json: eb.ref('excluded.report_json'), findings: eb.ref('excluded.findings'), failing: eb.ref('excluded.failing'),
      exit_code: eb.ref('excluded.exit_code'), saved_at_ms: eb.ref('excluded.saved_at_ms'),
    })))
    .execute();
}

async function baselineOf(db: Kysely<StoreTables>, planKey: string): Promise<Baseline | null> {
  const row = await db.selectFrom('baselines').select(['plan_key', 'run_id', 'plan_label', 'set_at_ms']).where('plan_key', '=', planKey).executeTakeFirst();
  return row ? { planKey: row.plan_key, runId: row.run_id, planLabel: row.plan_label, setAtMs: row.set_at_ms } : null;
}
