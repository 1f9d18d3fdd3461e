import { statSync } from 'node:fs';
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
  return message || 'unknown error';
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
