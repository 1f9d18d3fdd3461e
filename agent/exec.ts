import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const resolved = new Map<string, string>();

/**
 * Finds a system tool on PATH, skipping node_modules/.bin: under npm/npx those come first, and
 * one of them (`nft`, from @vercel/nft) is not the tool of the same name.
 */
export function systemCommand(name: string): string {
  if (name.includes('/')) return name;
  const known = resolved.get(name);
  if (known) return known;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      resolved.set(name, candidate);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return name;
}

export interface ExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ExecOptions {
  /** Deadline after which the process group gets SIGTERM, then SIGKILL after killGraceMs. */
  timeoutMs: number;
  killGraceMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place the agent starts external processes. No shell is involved; the process runs in
 * its own process group so the whole group is signalled; the deadline always fires. It never
 * throws for a failing command: it returns the facts and the caller decides what they mean.
 * Only a command that cannot be started at all (ENOENT) rejects.
 */
export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const killGraceMs = options.killGraceMs ?? 2000;
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(systemCommand(command), args, {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), killGraceMs);
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(deadline);
      clearTimeout(killTimer);
      reject(new Error(`cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(deadline);
      clearTimeout(killTimer);
      resolve({ exitCode, signal, timedOut, stdout, stderr, durationMs: performance.now() - startedAt });
    });
    child.stdin.on('error', () => { /* the child may exit before reading its input */ });
    child.stdin.end(options.input ?? '');
  });
}
