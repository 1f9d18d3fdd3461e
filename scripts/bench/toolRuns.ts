import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import type { LabAgents } from '../lab/labAgents.js';
import type { RunResult } from '../lab/run.js';
import { parsePathprobeForward, parsePathprobePair, parseScamper, parseTracepath } from './toolOutputParsers.js';
import type { ParsedPathprobeDirection } from './toolOutputParsers.js';
import type { WireCount, WireCounter } from './wireCounter.js';

export type ToolName = 'pathprobe' | 'tracepath' | 'scamper';
export type Family = 'v4' | 'v6';

export interface ToolRun {
  tool: ToolName;
  /** argv of the measured command, as run inside the namespace. */
  argv: string[];
  /** The value the tool gave as the path MTU; null when it gave none. */
  mtuBytes: number | null;
  /** Wall time of the whole command. */
  wallMs: number;
  timedOut: boolean;
  timeoutMs: number;
  /** Counted at h1's NIC during the run, see WireCounter. */
  wire: WireCount;
  /** pathprobe's own forward probe count and sweep time; null for the other tools. */
  ownProbes: number | null;
  sweepElapsedMs: number | null;
  /** What the tool said besides the number (verdict, "Too many hops", "pmtu 0"). */
  detail: string;
  /** Why the run produced no usable result (timeout, exit status); null when it finished normally. */
  failure: string | null;
}

/** What every run of one lab shares. */
export interface RunContext {
  lab: Lab;
  counter: WireCounter;
  family: Family;
  /** Where scamper writes its warts file (visible from every namespace: same filesystem). */
  scratchDir: string;
  /**
   * Throws once the bench was interrupted. Called right before each tool starts, with no await in
   * between, so a teardown that has already listed the namespace's processes never misses a tool.
   */
  checkpoint: () => void;
}

/** The sending and receiving hosts: the bench measures h1 → h2. */
export const SENDER = 'h1';
export const RECEIVER = 'h2';

function locate(name: string): string {
  for (const dir of ['/usr/bin', '/usr/sbin', '/bin', '/sbin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} not found in /usr/bin, /usr/sbin, /bin or /sbin`);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** One line for a run that did not end normally, or null when it did. */
function failureOf(result: RunResult, timeoutMs: number): string | null {
  if (result.timedOut) return `timeout after ${seconds(timeoutMs)}`;
  if (result.exitCode === null) return `killed by ${result.signal ?? 'a signal'}`;
  if (result.exitCode !== 0) {
    const firstLine = (result.stderr.trim().split('\n')[0] ?? '').slice(0, 100);
    return `exit ${result.exitCode}${firstLine ? `: ${firstLine}` : ''}`;
  }
  return null;
}

/**
 * Runs one tool from a clean state: every PMTU cache in the lab flushed (Debian's tracepath uses
 * IP_PMTUDISC_DO and would otherwise read the previous run's answer from the cache) and the wire
 * counter zeroed right before, read right after.
 */
async function measured<T extends Omit<ToolRun, 'wire'>>(ctx: RunContext, body: () => Promise<T>): Promise<T & { wire: WireCount }> {
  await ctx.lab.flushPmtuCaches();
  await ctx.counter.readAndReset();
  ctx.checkpoint();
  const run = await body();
  ctx.checkpoint();
  const wire = await ctx.counter.readAndReset();
  return { ...run, wire };
}

export async function runPathprobe(ctx: RunContext, agents: LabAgents, timeoutMs: number): Promise<ToolRun> {
  const from = ctx.lab.hosts[SENDER]!;
  const to = ctx.lab.hosts[RECEIVER]!;
  const args = ['pmtu', '--from', agents.urls[SENDER]!, '--to', agents.urls[RECEIVER]!,
    '--from-address', from[ctx.family], '--to-address', to[ctx.family], '--token-file', agents.tokenFile, '--json'];
  return measured(ctx, async () => {
    const result = await agents.cli(args, { timeoutMs });
    const base = {
      tool: 'pathprobe' as const, argv: ['pathprobe', ...args], wallMs: result.durationMs, timedOut: result.timedOut, timeoutMs,
    };
    if (result.timedOut) {
      return { ...base, mtuBytes: null, ownProbes: null, sweepElapsedMs: null, detail: '', failure: `timeout after ${seconds(timeoutMs)}` };
    }
    // pathprobe exits 1 for any verdict other than ok (silent-drop, frag-needed): the JSON is the result.
    try {
      const forward = parsePathprobeForward(result.stdout);
      return {
        ...base, mtuBytes: forward.pathMtuBytes, ownProbes: forward.probes, sweepElapsedMs: forward.sweepElapsedMs,
        detail: forward.verdict, failure: null,
      };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const stderr = (result.stderr.trim().split('\n')[0] ?? '').slice(0, 100);
      return { ...base, mtuBytes: null, ownProbes: null, sweepElapsedMs: null, detail: '', failure: `exit ${result.exitCode}, ${why}${stderr ? `: ${stderr}` : ''}` };
    }
  });
}

/** pathprobe on one pair with both directions read: what the multipath bench judges. */
export interface PathprobePairRun {
  argv: string[];
  /** Wall time of the whole CLI run: node start, facts, responders, both sweeps, close. */
  wallMs: number;
  timedOut: boolean;
  forward: ParsedPathprobeDirection | null;
  reverse: ParsedPathprobeDirection | null;
  /**
   * Sweep time of the pair: the two directions sweep at the same time, so the slower one's
   * elapsedMs (each agent's own clock); null unless both directions reported one.
   */
  pairSweepMs: number | null;
  wire: WireCount;
  failure: string | null;
}

/**
 * `pathprobe pmtu` h1 ↔ h2 with its default flows (`--flows auto`, 23 per direction), from a
 * flushed PMTU cache like every other tool run.
 */
export async function runPathprobePair(ctx: RunContext, agents: LabAgents, timeoutMs: number): Promise<PathprobePairRun> {
  const from = ctx.lab.hosts[SENDER]!;
  const to = ctx.lab.hosts[RECEIVER]!;
  const args = ['pmtu', '--from', agents.urls[SENDER]!, '--to', agents.urls[RECEIVER]!,
    '--from-address', from[ctx.family], '--to-address', to[ctx.family], '--token-file', agents.tokenFile, '--json'];
  await ctx.lab.flushPmtuCaches();
  await ctx.counter.readAndReset();
  ctx.checkpoint();
  const result = await agents.cli(args, { timeoutMs });
  ctx.checkpoint();
  const wire = await ctx.counter.readAndReset();
  const base = { argv: ['pathprobe', ...args], wallMs: result.durationMs, timedOut: result.timedOut, wire };
  if (result.timedOut) return { ...base, forward: null, reverse: null, pairSweepMs: null, failure: `timeout after ${seconds(timeoutMs)}` };
  try {
    // Exit 1 is the expected finding here (silent-drop on some flows): the JSON is the result.
    const { forward, reverse } = parsePathprobePair(result.stdout);
    const pairSweepMs = forward.sweepElapsedMs !== null && reverse?.sweepElapsedMs != null
      ? Math.max(forward.sweepElapsedMs, reverse.sweepElapsedMs) : null;
    return { ...base, forward, reverse, pairSweepMs, failure: null };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const stderr = (result.stderr.trim().split('\n')[0] ?? '').slice(0, 100);
    return { ...base, forward: null, reverse: null, pairSweepMs: null, failure: `exit ${result.exitCode}, ${why}${stderr ? `: ${stderr}` : ''}` };
  }
}

export async function runTracepath(ctx: RunContext, timeoutMs: number): Promise<ToolRun> {
  const argv = [locate('tracepath'), '-n', ctx.lab.hosts[RECEIVER]![ctx.family]];
  return measured(ctx, async () => {
    const result = await ctx.lab.exec(SENDER, argv, { timeoutMs });
    const parsed = parseTracepath(result.stdout);
    const failure = failureOf(result, timeoutMs) ?? (parsed.pmtuBytes === null ? 'no "Resume: pmtu" line' : null);
    const detail = parsed.tooManyHops ? 'Too many hops' : parsed.reached ? 'reached' : '';
    return {
      tool: 'tracepath' as const, argv, wallMs: result.durationMs, timedOut: result.timedOut, timeoutMs,
      // A killed tracepath printed nothing final (its stdout is a pipe, block-buffered): no value.
      mtuBytes: result.timedOut ? null : parsed.pmtuBytes, ownProbes: null, sweepElapsedMs: null, detail, failure,
    };
  });
}

export async function runScamper(ctx: RunContext, timeoutMs: number): Promise<ToolRun> {
  const target = ctx.lab.hosts[RECEIVER]![ctx.family];
  const wartsPath = join(ctx.scratchDir, `scamper-${ctx.lab.id}-${ctx.family}.warts`);
  // scamper's default udp-paris never matched the IPv6 replies in this lab; plain UDP does.
  const traceCommand = ctx.family === 'v6' ? `trace -P udp -M ${target}` : `trace -M ${target}`;
  const argv = [locate('scamper'), '-O', 'warts', '-o', wartsPath, '-I', traceCommand];
  // A repeated run in the same lab reuses the name: never read an earlier run's record.
  await rm(wartsPath, { force: true });
  return measured(ctx, async () => {
    const result = await ctx.lab.exec(SENDER, argv, { timeoutMs });
    const base = { tool: 'scamper' as const, argv, wallMs: result.durationMs, timedOut: result.timedOut, timeoutMs, ownProbes: null, sweepElapsedMs: null };
    const failure = failureOf(result, timeoutMs);
    if (failure !== null) return { ...base, mtuBytes: null, detail: '', failure };
    const dump = await ctx.lab.exec(SENDER, [locate('sc_wartsdump'), wartsPath], { timeoutMs: 10_000 });
    if (dump.exitCode !== 0) return { ...base, mtuBytes: null, detail: '', failure: `sc_wartsdump failed: ${dump.stderr.trim()}` };
    const parsed = parseScamper(dump.stdout);
    const detail = parsed.rawPmtuBytes === null ? 'no pmtud record' : `pmtu ${parsed.rawPmtuBytes}, stop ${parsed.stopReason ?? '?'}`;
    return { ...base, mtuBytes: parsed.pmtuBytes, detail, failure: null };
  });
}
