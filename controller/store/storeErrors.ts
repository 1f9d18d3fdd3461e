import { statSync } from 'node:fs';
import { PathprobeError } from '../../proto/errorCodes.js';

/* How storage failures become PathprobeErrors: one line, stable code, original error kept as cause. */

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function reasonOf(path: string, error: unknown): string {
  try {
    if (statSync(path).isDirectory()) return 'it is a directory';
  } catch { /* missing or unreadable: the driver's reason says which */ }
  const message = error instanceof Error ? error.message : String(error);
  if (/directory does not exist/i.test(message)) return 'its directory does not exist';
  return oneLine(message) || 'unknown error';
}

/** `--db PATH` cannot be opened, created or upgraded: a usage problem the user fixes by choosing another path. */
export function openError(path: string, error: unknown): PathprobeError {
  return new PathprobeError('ERR_USAGE', `cannot open --db ${path}: ${reasonOf(path, error)}`, { cause: error });
}

function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  return sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY';
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
