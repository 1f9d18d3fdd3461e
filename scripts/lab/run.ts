import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Facts about one finished process, field for field those of the agent's runner (agent/exec.ts),
 * so lab and agent results read alike; the lab keeps its own copy because it is its own layer.
 * `exitCode` is null when it was killed or never started.
 */
export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Our deadline fired (not the caller's signal). */
  timedOut: boolean;
  /** The caller's AbortSignal ended the process (it was still running when the signal fired). */
  aborted: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Written to stdin, then stdin is closed (ip -batch -, nft -f -). */
  input?: string;
  env?: Record<string, string>;
  /** Ends the process early, with the same SIGTERM → SIGKILL escalation as the deadline. */
  signal?: AbortSignal;
}

export interface StartOptions {
  /** Long-lived processes (agents) have none by default; a bounded command passes one. */
  timeoutMs?: number;
  env?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * `inherit` shares this process's stdout and stderr (a bench driving a bench): nothing is
   * captured and the handle's streams are null.
   */
  output?: 'capture' | 'inherit';
  /**
   * stdout goes to this file (created or truncated) instead of memory: a command whose output
   * may be larger than the capture (a 2016-pair `pathprobe run --json`). The result's stdout is ''.
   */
  stdoutFile?: string;
}

/** A process started by `start`: its output streams as it runs, and the facts once it is gone. */
export interface StartedProcess {
  readonly pid: number | undefined;
  /** utf8 text; also captured into the result. Null with `output: 'inherit'`. */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves once the process has exited and its pipes are closed; never rejects. */
  readonly result: Promise<RunResult>;
  running(): boolean;
  /** SIGTERM to its process group now, SIGKILL after the grace; resolves with the facts. */
  stop(): Promise<RunResult>;
  /** One signal to the process itself, no escalation: a crash (SIGKILL) or a forwarded Ctrl-C. */
  kill(signal: NodeJS.Signals): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Grace between SIGTERM and SIGKILL: long enough for ping/iperf3 to print their summary. */
const KILL_GRACE_MS = 2_000;
/**
 * A long-lived agent logs for as long as it runs; only the tail is kept. Far above any one
 * command's output (a 496-pair `pathprobe run --json` is about 10 MB), so commands lose nothing;
 * larger ones go to a file (`stdoutFile`).
 */
const MAX_CAPTURE_CHARS = 64 * 1024 * 1024;

/**
 * The tail of a stream in chunks: joining and re-slicing one string on every chunk past the cap
 * copied the whole cap each time (tens of seconds for an 85 MB report).
 */
class TailCapture {
  private chunks: string[] = [];
  private chars = 0;

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.chars += chunk.length;
    while (this.chars - this.chunks[0]!.length >= MAX_CAPTURE_CHARS) this.chars -= this.chunks.shift()!.length;
  }

  text(): string {
    const joined = this.chunks.join('');
    return joined.length > MAX_CAPTURE_CHARS ? joined.slice(joined.length - MAX_CAPTURE_CHARS) : joined;
  }
}

/**
 * The one place the lab and the benches start processes: argv only (no shell, so nothing is ever
 * re-parsed), in a process group of its own so the whole group is signalled, with the deadline
 * and the caller's AbortSignal sharing one SIGTERM → SIGKILL escalation. Never throws: a process
 * that cannot start is a result with exitCode null and the reason in stderr.
 */
function launch(argv: readonly string[], opts: StartOptions & { input?: string }): StartedProcess {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('run: empty argv');
  const inherit = opts.output === 'inherit';
  const startedAt = performance.now();
  // The child holds its own copy of the descriptor; ours is closed once it is handed over.
  const stdoutFd = opts.stdoutFile === undefined || inherit ? null : openSync(opts.stdoutFile, 'w');
  // LC_ALL=C: callers match tool messages ("Frag needed", "Packet too big") in English.
  let child;
  try {
    child = spawn(command, args, {
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', inherit ? 'inherit' : stdoutFd ?? 'pipe', inherit ? 'inherit' : 'pipe'],
      env: { ...process.env, LC_ALL: 'C', ...opts.env },
    });
  } finally {
    if (stdoutFd !== null) closeSync(stdoutFd);
  }
  const stdout = new TailCapture();
  const stderr = new TailCapture();
  let timedOut = false;
  let aborted = false;
  let exited = false;
  let closed = false;
  let killTimer: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const terminate = (): void => {
    if (killTimer !== undefined || closed) return;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  const deadline = opts.timeoutMs === undefined
    ? undefined
    : setTimeout(() => {
      timedOut = true;
      terminate();
    }, opts.timeoutMs);
  const onAbort = (): void => {
    if (closed) return;
    if (!exited) aborted = true;
    terminate();
  };

  const result = new Promise<RunResult>((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, extraStderr = ''): void => {
      if (closed) return;
      closed = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal, timedOut, aborted, stdout: stdout.text(), stderr: stderr.text() + extraStderr, durationMs: performance.now() - startedAt });
    };
    child.on('error', (err) => {
      exited = true;
      finish(null, null, `spawn failed: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      exited = true;
      // A grandchild outside the group (setsid) may hold our pipes open: the facts must not wait for it.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, KILL_GRACE_MS);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });

  if (child.pid !== undefined) {
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  }
  if (child.stdin) {
    // A command that exits before reading its stdin makes the write fail with EPIPE: the exit
    // status already tells the story, so the stream error is not worth a crash.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  }

  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    result,
    running: () => !exited,
    stop: () => {
      if (!exited) terminate();
      return result;
    },
    kill: (signal) => {
      if (!exited) child.kill(signal);
    },
  };
}

/** Runs a command to its end, with a deadline (default 10 s). Never throws on a failing command. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return launch(argv, { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, input: opts.input ?? '' }).result;
}

/** Starts a process that outlives the call (an agent, an iperf3 server, a CLI a test watches). */
export function start(argv: readonly string[], opts: StartOptions = {}): StartedProcess {
  return launch(argv, opts);
}

export function describeCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** For lab-building steps, where any failure leaves a lab that would lie: throw with the evidence. */
export async function runOrThrow(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
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
