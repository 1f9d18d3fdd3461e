import type { ComparedRunReport } from '../diff/runComparison.js';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { newRunId } from './runId.js';
import { cellFromRow, cellToColumns, factsFromRow, factsToRow, pmtuFromRow, pmtuToColumns, reportToColumns, runFromRow, type CellRow, type FactsRow, type PmtuRow, type RunRow } from './rowMapping.js';
import { noRun, openError, saveError, isUniqueViolation } from './storeErrors.js';
import type { StoredCell } from '../model/cellRecord.js';
import type { Plan } from '../model/plan.js';
import type { RunStatus } from '../model/runReport.js';
import type { PmtuOutcome, RunResults, StoredFacts, StoredRun } from '../model/runResults.js';



/*
 * The SQLite file every commissioning run writes to while it measures (`--db`, default pathprobe.sqlite).
 *
 * Durability: every save is ONE statement in autocommit mode, i.e. its own committed transaction,
 * finished before the method returns. There is deliberately no batching and no long-lived transaction:
 * anything held in an open transaction (or in memory) when the user presses Ctrl-C, the controller
 * crashes or is SIGKILLed would be lost, and `--resume` would then measure it again or, worse, miss
 * it. A cell takes seconds to measure; one commit takes about a millisecond, so the cost is nothing.
 * WAL mode: a commit is an append to the -wal file, which the next open replays, so a killed process
 * loses nothing it committed. synchronous=FULL additionally fsyncs the WAL at every commit, so even
 * power loss / a kernel panic of the controller host keeps every committed result (NORMAL would be
 * process-crash safe but could drop the last commits on power loss; at one commit per measurement
 * FULL costs nothing measurable).
 * UNIQUE constraints make "no duplicate cells" a property of the file, not of the caller.
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


type Statement = Database.Statement<unknown[], unknown>;

export class RunStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stmt: Record<
    'insertRun' | 'getRun' | 'upsertFacts' | 'insertPmtu' | 'replacePmtu' | 'insertCell'
    | 'finishRun' | 'markInterrupted' | 'resumeRun' | 'dropReport' | 'listRuns' | 'facts' | 'pmtu' | 'cells' | 'upsertReport' | 'loadReport'
    | 'upsertBaseline' | 'getBaseline',
    Statement
  >;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    const s = (sql: string) => db.prepare(sql) as Statement;
    this.stmt = {
      insertRun: s(`INSERT INTO runs (run_id, plan_json, plan_path, status, started_at_ms) VALUES (@run_id, @plan_json, @plan_path, 'running', @started_at_ms)`),
      getRun: s('SELECT * FROM runs WHERE run_id = ?'),
      upsertFacts: s(`INSERT INTO facts (run_id, agent, facts_json, error, saved_at_ms) VALUES (@run_id, @agent, @facts_json, @error, @saved_at_ms)
        ON CONFLICT (run_id, agent) DO UPDATE SET facts_json = excluded.facts_json, error = excluded.error, saved_at_ms = excluded.saved_at_ms`),
      insertPmtu: s(`INSERT INTO pmtu (run_id, pair_id, report_json, error_code, error_message, forward_verdict, forward_path_mtu,
          reverse_verdict, reverse_path_mtu, asymmetric, exit_code, measured_at_ms)
        VALUES (@run_id, @pair_id, @report_json, @error_code, @error_message, @forward_verdict, @forward_path_mtu,
          @reverse_verdict, @reverse_path_mtu, @asymmetric, @exit_code, @measured_at_ms)`),
      replacePmtu: s(`INSERT INTO pmtu (run_id, pair_id, report_json, error_code, error_message, forward_verdict, forward_path_mtu,
          reverse_verdict, reverse_path_mtu, asymmetric, exit_code, measured_at_ms)
        VALUES (@run_id, @pair_id, @report_json, @error_code, @error_message, @forward_verdict, @forward_path_mtu,
          @reverse_verdict, @reverse_path_mtu, @asymmetric, @exit_code, @measured_at_ms)
        ON CONFLICT (run_id, pair_id) DO UPDATE SET report_json = excluded.report_json, error_code = excluded.error_code,
          error_message = excluded.error_message, forward_verdict = excluded.forward_verdict, forward_path_mtu = excluded.forward_path_mtu,
          reverse_verdict = excluded.reverse_verdict, reverse_path_mtu = excluded.reverse_path_mtu, asymmetric = excluded.asymmetric,
          exit_code = excluded.exit_code, measured_at_ms = excluded.measured_at_ms`),
      insertCell: s(`INSERT INTO cells (run_id, pair_id, direction, row_kind, streams, repeat, outcome, error_code, record_json, started_at_ms, ended_at_ms)
        VALUES (@run_id, @pair_id, @direction, @row_kind, @streams, @repeat, @outcome, @error_code, @record_json, @started_at_ms, @ended_at_ms)`),
      finishRun: s('UPDATE runs SET status = @status, exit_code = @exit_code, finished_at_ms = @finished_at_ms WHERE run_id = @run_id'),
      markInterrupted: s(`UPDATE runs SET status = 'interrupted', finished_at_ms = @finished_at_ms WHERE run_id = @run_id AND status = 'running'`),
      resumeRun: s(`UPDATE runs SET status = 'running', finished_at_ms = NULL, exit_code = NULL WHERE run_id = ?`),
      dropReport: s('DELETE FROM reports WHERE run_id = ?'),
      listRuns: s(`SELECT r.run_id, r.plan_path, r.status, r.started_at_ms, r.finished_at_ms, r.exit_code,
          (SELECT COUNT(*) FROM (SELECT pair_id FROM pmtu WHERE run_id = r.run_id UNION SELECT pair_id FROM cells WHERE run_id = r.run_id)) AS pairs,
          (SELECT COUNT(*) FROM pmtu WHERE run_id = r.run_id) AS pmtu,
          (SELECT COUNT(*) FROM cells WHERE run_id = r.run_id) AS cells,
          (SELECT COUNT(*) FROM cells WHERE run_id = r.run_id AND outcome = 'error') AS cells_failed,
          rep.findings, rep.failing
        FROM runs r LEFT JOIN reports rep ON rep.run_id = r.run_id
        ORDER BY r.started_at_ms DESC, r.run_id DESC LIMIT ?`),
      facts: s('SELECT agent, facts_json, error FROM facts WHERE run_id = ? ORDER BY saved_at_ms, agent'),
      pmtu: s('SELECT pair_id, report_json, error_code, error_message FROM pmtu WHERE run_id = ? ORDER BY measured_at_ms, id'),
      cells: s('SELECT pair_id, record_json, started_at_ms, ended_at_ms FROM cells WHERE run_id = ? ORDER BY started_at_ms, id'),
      upsertReport: s(`INSERT INTO reports (run_id, report_json, findings, failing, exit_code, saved_at_ms)
        VALUES (@run_id, @report_json, @findings, @failing, @exit_code, @saved_at_ms)
        ON CONFLICT (run_id) DO UPDATE SET report_json = excluded.report_json, findings = excluded.findings,
          failing = excluded.failing, exit_code = excluded.exit_code, saved_at_ms = excluded.saved_at_ms`),
      loadReport: s('SELECT report_json FROM reports WHERE run_id = ?'),
      upsertBaseline: s(`INSERT INTO baselines (plan_key, run_id, plan_label, set_at_ms) VALUES (@plan_key, @run_id, @plan_label, @set_at_ms)
        ON CONFLICT (plan_key) DO UPDATE SET run_id = excluded.run_id, plan_label = excluded.plan_label, set_at_ms = excluded.set_at_ms`),
      getBaseline: s('SELECT plan_key, run_id, plan_label, set_at_ms FROM baselines WHERE plan_key = ?'),
    };
  }

  /**
   * Opens (creating if missing) the store at `path` and brings its schema up to date.
   * Any failure (a directory, a missing parent directory, no permission, not an SQLite file, a
   * schema from a newer pathprobe) is `ERR_USAGE: cannot open --db PATH: <reason>`.
   */
  static open(path: string): RunStore {
    let db: Database.Database | undefined;
    try {
      // timeout: wait (rather than fail) while another pathprobe process holds the write lock.
      db = new Database(path, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new RunStore(path, db);
    } catch (error) {
      try { db?.close(); } catch { /* already failing */ }
      throw openError(path, error);
    }
  }

  /** Registers a new run with status 'running' and returns its id, e.g. `r20261128-095501-3fa9`. */
  createRun(input: { plan: Plan; planPath: string | null; startedAtMs: number }): string {
    const planJson = JSON.stringify(input.plan);
    for (let attempt = 0; ; attempt += 1) {
      const runId = newRunId(input.startedAtMs);
      try {
        this.stmt.insertRun.run({ run_id: runId, plan_json: planJson, plan_path: input.planPath, started_at_ms: input.startedAtMs });
        return runId;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 20) throw error;
      }
    }
  }

  getRun(runId: string): StoredRun | null {
    const row = this.stmt.getRun.get(runId) as RunRow | undefined;
    return row ? runFromRow(row) : null;
  }

  /** A run the user named: ERR_USAGE (exit 2) saying where to look when this store has no such run. */
  requireRun(runId: string): StoredRun {
    return this.requireRuns([runId])[0]!;
  }

  /** Runs the user named, in order; one ERR_USAGE naming every one this store does not hold. */
  requireRuns(runIds: readonly string[]): StoredRun[] {
    const runs = runIds.map((runId) => this.getRun(runId));
    const missing = [...new Set(runIds.filter((_, i) => runs[i] === null))];
    if (missing.length) throw noRun(missing, this.path);
    return runs as StoredRun[];
  }

  /** An agent's facts (or why they could not be fetched) for this run; saving again replaces them. */
  saveFacts(runId: string, agent: string, facts: StoredFacts, savedAtMs: number = Date.now()): void {
    try {
      this.stmt.upsertFacts.run({ run_id: runId, agent, ...factsToRow(facts), saved_at_ms: savedAtMs });
    } catch (error) {
      throw saveError(error, { runId, storePath: this.path, duplicate: `facts of ${agent}` });
    }
  }

  /**
   * A pair's path-MTU result, committed at once. A second save of the same pair throws (ERR_INTERNAL)
   * and keeps the first, unless `{ replace: true }` says to overwrite it deliberately.
   */
  savePmtu(runId: string, pairId: string, result: PmtuOutcome, measuredAtMs: number, options: { replace?: boolean } = {}): void {
    const params = { run_id: runId, pair_id: pairId, ...pmtuToColumns(result), measured_at_ms: measuredAtMs };
    try {
      (options.replace ? this.stmt.replacePmtu : this.stmt.insertPmtu).run(params);
    } catch (error) {
      throw saveError(error, { runId, storePath: this.path, duplicate: `the path-MTU result of ${pairId}` });
    }
  }

  /** One throughput cell, committed at once. Its key (pair, direction, row, streams, repeat) must be new: a duplicate throws and keeps the first. */
  saveCell(runId: string, cell: StoredCell): void {
    const columns = cellToColumns(cell);
    try {
      this.stmt.insertCell.run({ run_id: runId, ...columns });
    } catch (error) {
      const r = cell.record;
      throw saveError(error, { runId, storePath: this.path, duplicate: `cell ${cell.pairId} ${r.direction} ${r.row} ${r.streams} streams repeat ${r.repeat}` });
    }
  }



  finishRun(runId: string, end: { status: 'done' | 'interrupted'; exitCode: number; finishedAtMs: number }): void {
    const info = this.stmt.finishRun.run({ run_id: runId, status: end.status, exit_code: end.exitCode, finished_at_ms: end.finishedAtMs });
    if (info.changes === 0) throw noRun([runId], this.path);
  }

  /**
   * Marks a still-running run interrupted (Ctrl-C handler, or a run found 'running' that no process
   * owns). Returns false when it had already finished, which it leaves alone.
   */
  markInterrupted(runId: string, finishedAtMs: number = Date.now()): boolean {
    const info = this.stmt.markInterrupted.run({ run_id: runId, finished_at_ms: finishedAtMs });
    if (info.changes === 0 && !this.getRun(runId)) throw noRun([runId], this.path);
    return info.changes > 0;
  }

  /** `--resume`: the run is 'running' again; a final report saved earlier is dropped (it no longer covers the run). */
  resumeRun(runId: string): void {
    this.db.transaction(() => {
      if (this.stmt.resumeRun.run(runId).changes === 0) throw noRun([runId], this.path);
      this.stmt.dropReport.run(runId);
    })();
  }

  /** Newest first, for `pathprobe runs`. */
  listRuns(limit = 50): RunSummary[] {
    const rows = this.stmt.listRuns.all(limit) as (Omit<RunRow, 'plan_json'> & {
      pairs: number; pmtu: number; cells: number; cells_failed: number; findings: number | null; failing: number | null;
    })[];
    return rows.map((r) => ({
      runId: r.run_id, planPath: r.plan_path, status: r.status, startedAtMs: r.started_at_ms,
      finishedAtMs: r.finished_at_ms, exitCode: r.exit_code,
      pairs: r.pairs, pmtu: r.pmtu, cells: r.cells, cellsFailed: r.cells_failed,
      findings: r.findings, failingFindings: r.failing,
    }));
  }

  /** Everything measured in a run, in measurement order; null for an unknown run. */
  loadResults(runId: string): RunResults | null {
    if (!this.getRun(runId)) return null;
    const facts: Record<string, StoredFacts> = {};
    for (const row of this.stmt.facts.all(runId) as FactsRow[]) facts[row.agent] = factsFromRow(row);
    const pmtu = new Map<string, PmtuOutcome>();
    for (const row of this.stmt.pmtu.all(runId) as PmtuRow[]) pmtu.set(row.pair_id, pmtuFromRow(row));
    const cells = (this.stmt.cells.all(runId) as CellRow[]).map(cellFromRow);
    return { facts, pmtu, cells };
  }

  /** The rolled-up report of a run (replaces an earlier one), for `pathprobe report RUN_ID` and baselines. */
  saveReport(runId: string, report: ComparedRunReport, savedAtMs: number = Date.now()): void {
    try {
      this.stmt.upsertReport.run({ run_id: runId, ...reportToColumns(report), saved_at_ms: savedAtMs });
    } catch (error) {
      throw saveError(error, { runId, storePath: this.path, duplicate: 'the report' });
    }
  }

  loadReport(runId: string): ComparedRunReport | null {
    const row = this.stmt.loadReport.get(runId) as { report_json: string } | undefined;
    return row ? (JSON.parse(row.report_json) as ComparedRunReport) : null;
  }

  /**
   * Makes `runId` the baseline of the plan `planKey` (see controller/diff/planKey.ts), replacing any
   * earlier one, and returns the one it replaced (null if none). An unknown run throws `no run …`.
   */
  setBaseline(runId: string, planKey: string, options: { planLabel?: string | null; setAtMs?: number } = {}): Baseline | null {
    return this.db.transaction(() => {
      const previous = this.getBaseline(planKey);
      try {
        this.stmt.upsertBaseline.run({ plan_key: planKey, run_id: runId, plan_label: options.planLabel ?? null, set_at_ms: options.setAtMs ?? Date.now() });
      } catch (error) {
        throw saveError(error, { runId, storePath: this.path, duplicate: `the baseline of ${planKey}` });
      }
      return previous;
    })();
  }

  /** The baseline of a plan, or null when none was set. */
  getBaseline(planKey: string): Baseline | null {
    const row = this.stmt.getBaseline.get(planKey) as { plan_key: string; run_id: string; plan_label: string | null; set_at_ms: number } | undefined;
    return row ? { planKey: row.plan_key, runId: row.run_id, planLabel: row.plan_label, setAtMs: row.set_at_ms } : null;
  }

  /** Idempotent. Not needed for durability (every save is already committed); it checkpoints the WAL into the main file. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
