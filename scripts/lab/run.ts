import { spawn } from 'node:child_process';

/** Facts about one finished command; `exitCode` is null when it was killed or never started. */
export interface RunResult {
  argv: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Written to stdin, then stdin is closed (ip -batch -, nft -f -). */
  input?: string;
  env?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Grace between SIGTERM and SIGKILL: long enough for ping/iperf3 to print their summary. */
const KILL_GRACE_MS = 2_000;

/**
 * The one place the lab runs external commands: argv only (no shell, so nothing is ever
 * re-parsed), with a deadline. Never throws: a non-zero exit is a fact the caller judges.
 */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('run: empty argv');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const startedMs = Date.now();
  return new Promise((resolve) => {
    // LC_ALL=C: callers match tool messages ("Frag needed", "Packet too big") in English.
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const termTimer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, extraStderr = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(termTimer);
      if (killTimer) clearTimeout(killTimer);
      resolve({ argv, exitCode, signal, timedOut, stdout, stderr: stderr + extraStderr, elapsedMs: Date.now() - startedMs });
    };
    child.on('error', (err) => finish(null, null, `spawn failed: ${err.message}`));
    child.on('close', (code, signal) => finish(code, signal));
    // A command that exits before reading its stdin makes the write fail with EPIPE: the exit
    // status already tells the story, so the stream error is not worth a crash.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

export function describeCommand(argv: string[]): string {
  return argv.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** For lab-building steps, where any failure leaves a lab that would lie: throw with the evidence. */
export async function runOrThrow(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await run(argv, opts);
  if (result.exitCode !== 0) {
    const how = result.timedOut
      ? `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
      : result.exitCode === null
        ? `killed by ${result.signal ?? 'unknown'}`
        : `exit ${result.exitCode}`;
    const input = opts.input ? `\ninput:\n${opts.input}` : '';
    throw new Error(`lab command failed (${how}): ${describeCommand(argv)}\nstderr: ${result.stderr.trim()}${input}`);
  }
  return result;
}
