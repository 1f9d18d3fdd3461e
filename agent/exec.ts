import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
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

/**
 * The prefix that starts a child with no capability at all, or none when there is nothing to
 * drop. An agent started with `AmbientCapabilities=CAP_NET_RAW` (systemd) or `setpriv
 * --ambient-caps +net_raw` passes its ambient set to every child: iperf3, ip and lldpctl need
 * no capability, so they get none (util-linux's setpriv clears the inheritable, ambient and
 * bounding sets, then execs the tool). Root (the lab, an agent run as root) is left as it is:
 * root's children are root whatever their sets say.
 */
export function capabilityDropPrefix(status: string = readProcStatus()): string[] {
  if (/^Uid:\s+0\s/m.test(status)) return [];
  const ambient = /^CapAmb:\s+([0-9a-f]+)/m.exec(status)?.[1];
  return ambient !== undefined && /[1-9a-f]/.test(ambient)
    ? [systemCommand('setpriv'), '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--']
    : [];
}

function readProcStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

let dropPrefix: string[] | null = null;

export interface ExecResult {
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

export interface ExecOptions {
  /** Deadline after which the process group gets SIGTERM, then SIGKILL after killGraceMs. */
  timeoutMs: number;
  killGraceMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Ends the process group early, with the same SIGTERM → SIGKILL escalation as the deadline. */
  signal?: AbortSignal;
  /** Called once the process exists, for callers that must find it again (e.g. in `ss -p`). */
  onSpawn?: (pid: number) => void;
}

/**
 * The one place the agent starts external processes. No shell is involved; the process runs in
 * its own process group so the whole group is signalled; the deadline always fires, and the
 * caller's AbortSignal ends it early with the same SIGTERM → SIGKILL escalation. It never
 * throws for a failing command: it returns the facts and the caller decides what they mean.
 * Only a command that cannot be started at all (ENOENT) rejects.
 */
export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const killGraceMs = options.killGraceMs ?? 2000;
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    dropPrefix ??= capabilityDropPrefix();
    const [program, ...programArgs] = [...dropPrefix, systemCommand(command), ...args];
    const child = spawn(program!, programArgs, {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    // `exit` comes before `close` (which waits for the pipes): between them the process is gone.
    let processExited = false;
    let closed = false;
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
    // The deadline and the caller's signal share one escalation: whichever comes first starts it.
    const terminate = () => {
      if (killTimer !== undefined || closed) return;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), killGraceMs);
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      terminate();
    }, options.timeoutMs);
    const onAbort = () => {
      if (closed) return;
      // A process that already exited on its own was not ended by the caller; its group may still be.
      if (!processExited) aborted = true;
      terminate();
    };
    const finish = () => {
      closed = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      finish();
      reject(new Error(`cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('exit', () => { processExited = true; });
    child.on('close', (exitCode, signal) => {
      finish();
      resolve({ exitCode, signal, timedOut, aborted, stdout, stderr, durationMs: performance.now() - startedAt });
    });
    if (child.pid !== undefined) {
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      options.onSpawn?.(child.pid);
    }
    child.stdin.on('error', () => { /* the child may exit before reading its input */ });
    child.stdin.end(options.input ?? '');
  });
}
