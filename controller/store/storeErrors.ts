import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { PathprobeError } from '../../proto/errorCodes.js';
import type { DbTarget } from './dbTarget.js';

/* How storage failures become PathprobeErrors: one line, stable code, original error kept as cause. */

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function messageOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

function sqliteReason(path: string, error: unknown): string {
  try {
    if (statSync(path).isDirectory()) return 'it is a directory';
  } catch { /* missing or unreadable: the driver's reason says which */ }
  const message = messageOf(error);
  if (/directory does not exist/i.test(message)) return 'its directory does not exist';
  // "unable to open database file" says nothing of why: a new file in a directory it cannot write.
  if (codeOf(error) === 'SQLITE_CANTOPEN') return directoryReason(dirname(path)) ?? message;
  return message || 'unknown error';
}

function directoryReason(dir: string): string | null {
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EROFS') return `its directory ${dir} is on a read-only file system`;
    if (code === 'EACCES' || code === 'EPERM') return `no permission to create files in its directory ${dir}`;
    if (code === 'ENOENT') return 'its directory does not exist';
    return null;
  }
}

/** Node's socket errors in words; anything else (the server's own refusals) keeps the server's message. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOENT: 'no server socket there',
};

function postgresReason(error: unknown): string {
  const code = codeOf(error) ?? codeOf((error as AggregateError | null)?.errors?.[0]);
  if (code && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  const message = messageOf(error);
  // pg's own connect timeout (connectionTimeoutMillis)
  if (/timeout/i.test(message)) return 'connection timed out';
  return message || code || 'unknown error';
}

/**
 * `--db` cannot be opened, created or upgraded: a usage problem the user fixes by choosing
 * another path or URL, or by starting the database. `shown` never carries a password.
 */
export function openError(target: DbTarget, error: unknown): PathprobeError {
  const reason = target.engine === 'sqlite' ? sqliteReason(target.path, error) : postgresReason(error);
  return new PathprobeError('ERR_USAGE', `cannot open --db ${target.shown}: ${reason}`, { cause: error });
}

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/* SQLite's extended result codes, PostgreSQL's SQLSTATEs (23505 unique_violation, 23503 foreign_key_violation). */

export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** Why a write to the store failed, when the store itself is the reason (not the caller). */
export type StoreFault = 'full' | 'read-only' | 'io';

/**
 * SQLite's result codes (SQLITE_FULL, SQLITE_READONLY_*, SQLITE_IOERR_*), PostgreSQL's SQLSTATEs
 * (53100 disk_full, e.g. "could not extend file"; 25006 read_only_sql_transaction on a standby or a
 * read-only database; 58030 io_error) and Node's errnos, as one of three faults; null for anything else.
 */
export function storeFaultOf(error: unknown): { fault: StoreFault; code: string } | null {
  const code = codeOf(error);
  if (code === null) return null;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return { fault: 'full', code };
  if (code === '53100') return { fault: 'full', code: '53100 disk_full' };
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return { fault: 'read-only', code };
  if (code === '25006') return { fault: 'read-only', code: '25006 read_only_sql_transaction' };
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return { fault: 'io', code };
  if (code === '58030') return { fault: 'io', code: '58030 io_error' };
  return null;
}

/** What a failed write was storing, and whether the run it belongs to can be resumed afterwards. */
export interface WriteContext {
  /** e.g. `the path-MTU result of h1/198.18.1.1~h2/198.18.1.2`. */
  what: string;
  /** Where the runs are, as messages show it (file path, or URL without its password). */
  location: string;
  engine: DbTarget['engine'];
  /** The run to resume once the store takes writes again; null when there is nothing to resume. */
  resumeRunId: string | null;
}

/**
 * A write the store refused for its own reason (full, read-only, I/O error): ERR_STORE, one line
 * that says what was lost (nothing committed: every save is its own transaction), and what to do,
 * e.g. `cannot store the path-MTU result of h1/…~h2/…: the disk holding /var/pathprobe.sqlite is
 * full (SQLITE_FULL); everything stored so far is kept; free space, then: pathprobe run --resume
 * r20261128-095501-3fa9 --db /var/pathprobe.sqlite`. Any other error is returned as it is.
 */
export function writeError(error: unknown, context: WriteContext): unknown {
  const found = storeFaultOf(error);
  if (!found) return error;
  const { what, location, engine, resumeRunId } = context;
  const state = engine === 'sqlite'
    ? { full: `the disk holding ${location} is full`, 'read-only': `${location} is on a read-only file system`, io: `the disk holding ${location} failed a write` }[found.fault]
    : { full: `the PostgreSQL server of ${location} is out of disk space`, 'read-only': `the PostgreSQL database ${location} is read-only`, io: `the PostgreSQL server of ${location} failed a write` }[found.fault];
  const fix = { full: 'free space', 'read-only': 'make it writable', io: 'check the disk' }[found.fault];
  const then = resumeRunId === null ? `${fix}, then try again` : `${fix}, then: pathprobe run --resume ${resumeRunId} --db ${location}`;
  return new PathprobeError('ERR_STORE', `cannot store ${what}: ${state} (${found.code}); everything stored so far is kept; ${then}`, { cause: error });
}

/**
 * A save the caller should never have made: a duplicate result is a bug in the scheduler or resume
 * logic, so ERR_INTERNAL naming what clashed; a run the store does not hold is `noRun`.
 */
export function saveError(error: unknown, what: { runId: string; duplicate: string; storePath: string }): unknown {
  if (isUniqueViolation(error)) return new PathprobeError('ERR_INTERNAL', `${what.duplicate} is already stored for run ${what.runId}`, { cause: error });
  if (isForeignKeyViolation(error)) return noRun([what.runId], what.storePath, error);
  return error;
}

/** The one "no run" error: ERR_USAGE (exit 2), naming every missing run and where to look. */
export function noRun(runIds: readonly string[], storePath: string, cause?: unknown): PathprobeError {
  return new PathprobeError('ERR_USAGE', `no run ${runIds.join(' or ')} in ${storePath} (see pathprobe runs --db ${storePath})`, cause === undefined ? undefined : { cause });
}
