import { readdir, readFile, readlink } from 'node:fs/promises';

/*
 * What the soak reads about one process from /proc: resident memory, open descriptors, how many of
 * them are sockets, and live child processes. The parsers are pure (tested on captured text); the
 * reader below is the only part that touches /proc.
 */

export interface ProcessSample {
  rssBytes: number;
  fds: number;
  sockets: number;
  /** Direct children still alive (an agent's iperf3 servers and clients, ip, lldpctl). */
  children: number;
}

/** VmRSS from /proc/PID/status ("VmRSS:   71234 kB"), in bytes; null when absent (a zombie). */
export function rssBytesFromStatus(statusText: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : null;
}

/** fd link targets that are sockets: "socket:[123456]" (TCP, UDP, raw, unix alike). */
export function countSockets(linkTargets: readonly string[]): number {
  return linkTargets.filter((target) => target.startsWith('socket:[')).length;
}

/**
 * The parent PID from /proc/PID/stat. The command name sits in parentheses and may itself hold
 * spaces and parentheses, so the fields are read after the last ')'.
 */
export function parentPidFromStat(statText: string): number | null {
  const close = statText.lastIndexOf(')');
  if (close < 0) return null;
  const fields = statText.slice(close + 2).trim().split(/\s+/);
  // fields[0] is the state, fields[1] the parent PID.
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/** A stat line's state letter: Z (zombie) children are already dead and are not counted. */
function stateFromStat(statText: string): string | null {
  const close = statText.lastIndexOf(')');
  return close < 0 ? null : statText.slice(close + 2, close + 3);
}

const isGone = (error: unknown): boolean => ['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '');

/** Live children of each PID in `parents`, from one pass over /proc/NNN/stat. */
async function childCounts(parents: readonly number[]): Promise<Map<number, number>> {
  const counts = new Map(parents.map((pid) => [pid, 0]));
  const entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  await Promise.all(entries.map(async (name) => {
    let stat: string;
    try {
      stat = await readFile(`/proc/${name}/stat`, 'utf8');
    } catch (error) {
      // A process that ended between readdir and read is no child any more.
      if (isGone(error)) return;
      throw error;
    }
    const ppid = parentPidFromStat(stat);
    if (ppid !== null && counts.has(ppid) && stateFromStat(stat) !== 'Z') counts.set(ppid, counts.get(ppid)! + 1);
  }));
  return counts;
}

async function sampleOne(pid: number, children: number): Promise<ProcessSample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssBytes = rssBytesFromStatus(status);
  if (rssBytes === null) throw new Error(`process ${pid} has no VmRSS (exited?)`);
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch((error: unknown) => {
    // A descriptor closed between readdir and readlink was open a moment ago: count it, not as a socket.
    if (isGone(error)) return '';
    throw error;
  })));
  return { rssBytes, fds: fds.length, sockets: countSockets(targets), children };
}

/** One sample of each process, read together. Throws when a process is gone: a dead agent is a failed soak. */
export async function sampleProcesses(pids: Readonly<Record<string, number>>): Promise<Record<string, ProcessSample>> {
  const counts = await childCounts(Object.values(pids));
  const out: Record<string, ProcessSample> = {};
  for (const [name, pid] of Object.entries(pids)) out[name] = await sampleOne(pid, counts.get(pid) ?? 0);
  return out;
}
