import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PathprobeError } from '../../proto/errorCodes.js';
import { parsePlan } from './parsePlan.js';
import type { Plan } from '../model/plan.js';

/**
 * Reads and validates a plan file (see parsePlan for the rules and defaults). Errors are
 * PathprobeError('ERR_USAGE') naming the file as given, e.g. "cannot read plan rack12.yaml: ENOENT".
 */
export async function loadPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PathprobeError('ERR_USAGE', `cannot read plan ${path}: ${code}`, { cause: error });
  }
  return parsePlan(text, { fileName: path, baseDir: dirname(resolve(path)), checkTokenFile: tokenFileProblem });
}

/** What is wrong with the token file, or null when it holds something. */
export function tokenFileProblem(absolutePath: string): string | null {
  let token: string;
  try {
    token = readFileSync(absolutePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EISDIR') return 'is a directory, not a file';
    return `cannot be read (${code ?? (error as Error).message})`;
  }
  return token.trim() === '' ? 'is empty' : null;
}
