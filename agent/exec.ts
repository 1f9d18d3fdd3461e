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

const DROP_CAPABILITIES = ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];

/**
 * PURE. The prefix every child starts behind: util-linux `setpriv` (2.38 on Debian 12), which
 * sets what follows and then execs the tool in place (same PID, same process group).
 *
 * - `--pdeathsig SIGKILL`, always: the kernel kills the child the moment the agent dies, even by
 *   SIGKILL, when no escalation of ours can run. Without it a crashed agent left its iperf3
 *   servers and clients running until their own `-t` ended. The signal fires when the thread
 *   that forked the child exits: Node's spawn forks from the main (event-loop) thread, which
 *   lives exactly as long as the process, and the agent never spawns from worker threads. It
 *   survives execve except into set-user-ID or file-capability programs; none of our tools is one.
 * - no capability at all when there is something to drop. An agent started with
 *   `AmbientCapabilities=CAP_NET_RAW` (systemd) or `setpriv --ambient-caps +net_raw` passes its
 *   ambient set to every child: iperf3, ip and lldpctl need no capability, so they get none
 *   (clearing the inheritable, ambient and bounding sets). Root (the lab, an agent run as root)
 *   is left as it is: root's children are root whatever their sets say.
 *
 * `setpriv` is null when it is not installed: then nothing can be dropped or armed, and a child
 * that has capabilities to lose is refused (the bare name fails to start) rather than run with them.
 */
export function childPrefix(status: string, setpriv: string | null): string[] {
  const drop = mustDropCapabilities(status) ? DROP_CAPABILITIES : [];
  if (setpriv === null) return drop.length > 0 ? ['setpriv', ...drop, '--'] : [];
  return [setpriv, '--pdeathsig', 'SIGKILL', ...drop, '--'];
}

function mustDropCapabilities(status: string): boolean {
  if (/^Uid:\s+0\s/m.test(status)) return false;
  const ambient = /^CapAmb:\s+([0-9a-f]+)/m.exec(status)?.[1];
  return ambient !== undefined && /[1-9a-f]/.test(ambient);
}

function readProcStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

/** Null when `name` is neither a path to an executable nor found on PATH (outside node_modules). */
export function findCommand(name: string): string | null {
  const found = systemCommand(name);
  if (!found.includes('/')) return null;
  try {
    accessSync(found, constants.X_OK);
    return found;
  } catch {
    return null;
  }
}

/** A command that is not installed: `exec` rejects with it (the only rejection), before any spawn. */
export class CommandNotFound extends Error {
  readonly code = 'ENOENT';
  readonly command: string;
  constructor(command: string) {
    const where = command.includes('/') ? 'no executable file there' : 'not found on PATH';
    super(`cannot run ${command}: ${where} (ENOENT)`, {
      cause: Object.assign(new Error(`ENOENT: ${command}; PATH=${process.env.PATH ?? ''}`), { code: 'ENOENT' }),
    });
    this.name = 'CommandNotFound';
    this.command = command;
  }
}

/** The environment variable that names the agent instance a child belongs to (see markChildren). */
export const AGENT_MARKER_VARIABLE = 'PATHPROBE_AGENT';

let prefix: string[] | null = null;
let marker: string | null = null;

/**
 * From now on every child carries `PATHPROBE_AGENT=<marker>` in its environment, so that a later
 * agent with the same identity can recognise (and remove) what this one left behind.
 */
export function markChildren(identity: string): void {
  marker = identity;
}

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
 * Only a command that cannot be started at all rejects: CommandNotFound when it is not installed.
 * Every child dies with the agent (childPrefix) and carries the agent's marker (markChildren).
 */
export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const killGraceMs = options.killGraceMs ?? 2000;
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    // Checked here because behind the setpriv prefix a missing tool would be setpriv's exit 127,
    // not a failure to start: callers tell "not installed" from "failed" by this rejection.
    const resolvedCommand = findCommand(command);
    if (resolvedCommand === null) {
      reject(new CommandNotFound(command));
      return;
    }
    prefix ??= childPrefix(readProcStatus(), findCommand('setpriv'));
    const [program, ...programArgs] = [...prefix, resolvedCommand, ...args];
    const env = options.env ?? process.env;
    const child = spawn(program!, programArgs, {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: marker === null ? env : { ...env, [AGENT_MARKER_VARIABLE]: marker },
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
