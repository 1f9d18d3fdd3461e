import type Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { StoreTables } from './storeTables.js';

/*
 * The schema, as an ordered list of migrations. Version N is migrations[N - 1]; a database records
 * the versions applied in `schema_version`. Never edit a shipped migration: append a new one (a
 * later version can add tables or columns, e.g. baselines), so every older database upgrades in order.
 *
 * Each version is written once per engine, the same tables, columns, keys and checks (a test
 * compares them): only the types differ, because SQLite's INTEGER is 64-bit and PostgreSQL's is not
 * (times in ms are BIGINT there) and row ids are AUTOINCREMENT in one and an identity in the other.
 */

export interface Migration {
  version: number;
  description: string;
  /** SQLite. */
  sql: string;
  postgresSql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, agent facts, path-MTU results, throughput cells, final reports',
    sql: `
      CREATE TABLE runs (
        run_id         TEXT PRIMARY KEY,
        plan_json      TEXT NOT NULL,
        plan_path      TEXT,
        status         TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted')),
        started_at_ms  INTEGER NOT NULL,
        finished_at_ms INTEGER,
        exit_code      INTEGER
      );
      CREATE INDEX runs_started ON runs (started_at_ms);

      CREATE TABLE facts (
        run_id       TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        agent        TEXT NOT NULL,
        -- exactly one of facts_json / error
        facts_json   TEXT,
        error        TEXT,
        saved_at_ms  INTEGER NOT NULL,
        PRIMARY KEY (run_id, agent),
        CHECK ((facts_json IS NULL) <> (error IS NULL))
      );

      CREATE TABLE pmtu (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id            TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        pair_id           TEXT NOT NULL,
        -- exactly one of report_json / error_code (the pair could not be measured at all)
        report_json       TEXT,
        error_code        TEXT,
        error_message     TEXT,
        forward_verdict   TEXT,
        forward_path_mtu  INTEGER,
        reverse_verdict   TEXT,
        reverse_path_mtu  INTEGER,
        asymmetric        INTEGER,
        exit_code         INTEGER,
        measured_at_ms    INTEGER NOT NULL,
        UNIQUE (run_id, pair_id),
        CHECK ((report_json IS NULL) <> (error_code IS NULL))
      );
      CREATE INDEX pmtu_verdict ON pmtu (run_id, forward_verdict, reverse_verdict);

      CREATE TABLE cells (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id         TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        pair_id        TEXT NOT NULL,
        direction      TEXT NOT NULL CHECK (direction IN ('forward', 'reverse')),
        row_kind       TEXT NOT NULL,
        streams        INTEGER NOT NULL,
        repeat         INTEGER NOT NULL,
        -- 'ok' (an iperf3 result), 'error' or 'skipped'
        outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'skipped')),
        error_code     TEXT,
        record_json    TEXT NOT NULL,
        started_at_ms  INTEGER NOT NULL,
        ended_at_ms    INTEGER NOT NULL,
        UNIQUE (run_id, pair_id, direction, row_kind, streams, repeat)
      );
      CREATE INDEX cells_time ON cells (run_id, started_at_ms);

      CREATE TABLE reports (
        run_id          TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
        report_json     TEXT NOT NULL,
        findings        INTEGER NOT NULL,
        failing         INTEGER NOT NULL,
        exit_code       INTEGER NOT NULL,
        saved_at_ms     INTEGER NOT NULL
      );
    `,
    postgresSql: `
      CREATE TABLE runs (
        run_id         TEXT PRIMARY KEY,
        plan_json      TEXT NOT NULL,
        plan_path      TEXT,
        status         TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted')),
        started_at_ms  BIGINT NOT NULL,
        finished_at_ms BIGINT,
        exit_code      INTEGER
      );
      CREATE INDEX runs_started ON runs (started_at_ms);

      CREATE TABLE facts (
        run_id       TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        agent        TEXT NOT NULL,
        facts_json   TEXT,
        error        TEXT,
        saved_at_ms  BIGINT NOT NULL,
        PRIMARY KEY (run_id, agent),
        CHECK ((facts_json IS NULL) <> (error IS NULL))
      );

      CREATE TABLE pmtu (
        id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id            TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        pair_id           TEXT NOT NULL,
        report_json       TEXT,
        error_code        TEXT,
        error_message     TEXT,
        forward_verdict   TEXT,
        forward_path_mtu  INTEGER,
        reverse_verdict   TEXT,
        reverse_path_mtu  INTEGER,
        -- quoted: ASYMMETRIC is a reserved word in PostgreSQL
        "asymmetric"      INTEGER,
        exit_code         INTEGER,
        measured_at_ms    BIGINT NOT NULL,
        UNIQUE (run_id, pair_id),
        CHECK ((report_json IS NULL) <> (error_code IS NULL))
      );
      CREATE INDEX pmtu_verdict ON pmtu (run_id, forward_verdict, reverse_verdict);

      CREATE TABLE cells (
        id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id         TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        pair_id        TEXT NOT NULL,
        direction      TEXT NOT NULL CHECK (direction IN ('forward', 'reverse')),
        row_kind       TEXT NOT NULL,
        streams        INTEGER NOT NULL,
        repeat         INTEGER NOT NULL,
        outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'skipped')),
        error_code     TEXT,
        record_json    TEXT NOT NULL,
        started_at_ms  BIGINT NOT NULL,
        ended_at_ms    BIGINT NOT NULL,
        UNIQUE (run_id, pair_id, direction, row_kind, streams, repeat)
      );
      CREATE INDEX cells_time ON cells (run_id, started_at_ms);

      CREATE TABLE reports (
        run_id          TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
        report_json     TEXT NOT NULL,
        findings        INTEGER NOT NULL,
        failing         INTEGER NOT NULL,
        exit_code       INTEGER NOT NULL,
        saved_at_ms     BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'baselines: the run each plan is compared with',
    sql: `
      -- plan_key: see controller/diff/planKey.ts (a hash of the plan's agent names and addresses).
      -- A plan has at most one baseline; setting another replaces it. Deleting the run drops it.
      CREATE TABLE baselines (
        plan_key    TEXT PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        -- how the user named the plan when setting it (a plan file path, or the run's agents), for messages only
        plan_label  TEXT,
        set_at_ms   INTEGER NOT NULL
      );
      CREATE INDEX baselines_run ON baselines (run_id);
    `,
    postgresSql: `
      CREATE TABLE baselines (
        plan_key    TEXT PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        plan_label  TEXT,
        set_at_ms   BIGINT NOT NULL
      );
      CREATE INDEX baselines_run ON baselines (run_id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** What brings a database at version `current` up to date: the migrations to run and the schema_version rows to record. */
export function pendingMigrations(current: number): { apply: Migration[]; record: { version: number; description: string }[] } {
  if (current > SCHEMA_VERSION) {
    throw new Error(`its schema version ${current} is newer than this pathprobe supports (${SCHEMA_VERSION}); upgrade pathprobe`);
  }
  const apply = MIGRATIONS.filter((m) => m.version > current);
  // A new database is created at the current schema in one step and records one row.
  const record = current === 0 && apply.length > 0
    ? [{ version: SCHEMA_VERSION, description: `created at version ${SCHEMA_VERSION}: ${apply.map((m) => m.description).join('; ')}` }]
    : apply.map(({ version, description }) => ({ version, description }));
  return { apply, record };
}

/** The highest version applied to this file, 0 for a new file. */
export function appliedVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the missing migrations to an SQLite file in order, each with its schema_version row, all
 * in one transaction, so a crash mid-upgrade leaves the file at the version it had.
 * A new file is created at the current schema in one step and records one row (the current
 * version); an existing file records one row per migration it was upgraded through.
 * Throws when the file comes from a newer pathprobe (its schema cannot be trusted to match).
 */
export function migrate(db: Database.Database, nowMs: number = Date.now()): number {
  // BEGIN IMMEDIATE: two processes opening a new file at once must not both create the tables.
  const run = db.transaction(() => {
    const { apply, record } = pendingMigrations(appliedVersion(db));
    const insert = db.prepare('INSERT INTO schema_version (version, description, applied_at_ms) VALUES (?, ?, ?)');
    for (const m of apply) db.exec(m.sql);
    for (const r of record) insert.run(r.version, r.description, nowMs);
    return appliedVersion(db);
  });
  return run.immediate();
}

/** Any constant: the advisory lock every pathprobe takes while it migrates a PostgreSQL database. */
const POSTGRES_MIGRATION_LOCK = 7_341_002_211;

/** The same for a PostgreSQL database: one transaction (PostgreSQL's DDL is transactional too). */
export async function migratePostgres(db: Kysely<StoreTables>, nowMs: number = Date.now()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // Two controllers opening a new database at once must not both create the tables: the second
    // waits here until the first commits, then finds the schema current.
    await sql`SELECT pg_advisory_xact_lock(${POSTGRES_MIGRATION_LOCK})`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)`.execute(trx);
    const versionOf = async () => (await trx.selectFrom('schema_version').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst())?.v ?? 0;
    const { apply, record } = pendingMigrations(await versionOf());
    // Without parameters the statement goes as a simple query, which may hold several statements.
    for (const m of apply) await sql.raw(m.postgresSql).execute(trx);
    for (const r of record) await trx.insertInto('schema_version').values({ ...r, applied_at_ms: nowMs }).execute();
    return versionOf();
  });
}
