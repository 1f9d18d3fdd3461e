import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { AGENT_MARKER_VARIABLE } from './exec.js';

/*
 * What a previous instance of this agent left running: an iperf3 started by an older build
 * without the parent-death signal, or a child that escaped it (the agent died between fork and
 * setpriv arming it). Every child carries `PATHPROBE_AGENT=<identity>` (exec.ts, markChildren),
 * the identity being the address:port the agent listens on. At start, once the agent holds that
 * address (so no other live agent can have the same identity in this network namespace), every
 * process carrying exactly that marker, in this network namespace, that is not ours, is a leftover.
 *
 * The network namespace is part of the identity: the same 198.19.0.1:7420 may be another agent
 * in another namespace (another lab, another container on this host), whose processes are not ours.
 */

/** What /proc says about one process, as read: `environ` NUL-separated, `stat` one line. */
export interface ProcEntry {
  pid: number;
  environ: string;
  stat: string;
  /** readlink of /proc/PID/ns/net, e.g. `net:[4026531840]`; null when it could not be read. */
  netns: string | null;
}

export interface Leftover {
  pid: number;
  /** The program name (stat's comm), e.g. iperf3. */
  command: string;
  ppid: number;
  /** Its process group: a child of exec leads its own (pgid = pid), and then the whole group goes. */
  pgid: number;
}

export interface OwnIdentity {
  /** The marker value this agent gives its children: its listen address:port. */
  identity: string;
  selfPid: number;
  /** This agent's network namespace (readlink of /proc/self/ns/net). */
  netns: string;
}

/** PURE. The fields of /proc/PID/stat we need; comm may hold spaces and parentheses, so it ends at the last ')'. */
export function parseProcStat(stat: string): { command: string; state: string; ppid: number; pgid: number } | null {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const [state, ppid, pgid] = stat.slice(close + 2).split(' ');
  if (state === undefined || ppid === undefined || pgid === undefined) return null;
  const ppidNumber = Number(ppid);
  const pgidNumber = Number(pgid);
  if (!Number.isInteger(ppidNumber) || !Number.isInteger(pgidNumber)) return null;
  return { command: stat.slice(open + 1, close), state, ppid: ppidNumber, pgid: pgidNumber };
}

/** PURE. The value of PATHPROBE_AGENT in a NUL-separated environ, or null when it has none. */
export function agentMarkerOf(environ: string): string | null {
  const prefix = `${AGENT_MARKER_VARIABLE}=`;
  for (const variable of environ.split('\0')) {
    if (variable.startsWith(prefix)) return variable.slice(prefix.length);
  }
  return null;
}

/**
 * PURE. The processes among `entries` that a previous instance of this agent left: the exact
 * marker of this identity, the same network namespace (an unreadable one is never ours), neither
 * this agent nor its own child, and not a zombie (already dead, only not yet reaped).
 */
export function leftoversAmong(entries: readonly ProcEntry[], own: OwnIdentity): Leftover[] {
  return entries.flatMap((entry) => {
    if (entry.pid === own.selfPid) return [];
    if (agentMarkerOf(entry.environ) !== own.identity) return [];
    if (entry.netns === null || entry.netns !== own.netns) return [];
    const stat = parseProcStat(entry.stat);
    if (stat === null || stat.state === 'Z' || stat.ppid === own.selfPid) return [];
    return [{ pid: entry.pid, command: stat.command, ppid: stat.ppid, pgid: stat.pgid }];
  });
}

/** Every process whose environ we may read (others' are EACCES to an unprivileged agent: not ours anyway). */
function readProcEntries(): ProcEntry[] {
  const marker = `${AGENT_MARKER_VARIABLE}=`;
  return readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      // Most processes carry no marker: skip their stat and namespace.
      if (!environ.includes(marker)) return [];
      let netns: string | null = null;
      try {
        netns = readlinkSync(`/proc/${name}/ns/net`);
      } catch {
        // unreadable: leftoversAmong never takes it
      }
      return [{ pid: Number(name), environ, stat: readFileSync(`/proc/${name}/stat`, 'latin1'), netns }];
    } catch {
      return []; // exited while we looked, or not ours to read
    }
  });
}

/**
 * Kills (SIGKILL) what a previous instance with this identity left behind and logs one line per
 * process. A leftover that leads its own process group takes the group with it (a child of exec
 * always does, and its own children share it); any other only itself, so a group led by
 * something else is never touched. Returns what it removed.
 */
export function removeLeftovers(identity: string, log: (line: string) => void): Leftover[] {
  let netns: string;
  try {
    netns = readlinkSync('/proc/self/ns/net');
  } catch (error) {
    log(`cannot look for processes left by a previous agent on ${identity}: /proc/self/ns/net: ${(error as Error).message}`);
    return [];
  }
  const leftovers = leftoversAmong(readProcEntries(), { identity, selfPid: process.pid, netns });
  const removed: Leftover[] = [];
  for (const leftover of leftovers) {
    try {
      process.kill(leftover.pgid === leftover.pid ? -leftover.pid : leftover.pid, 'SIGKILL');
      removed.push(leftover);
      log(`removed ${leftover.command} pid ${leftover.pid} left by a previous agent on ${identity}`);
    } catch (error) {
      // Gone meanwhile (ESRCH) is what we wanted; anything else is worth a line.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
        log(`cannot remove ${leftover.command} pid ${leftover.pid} left by a previous agent on ${identity}: ${(error as Error).message}`);
      }
    }
  }
  return removed;
}
