import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../lab/lab.js';
import { LAB_AGENT_PORT } from '../lab/labAgents.js';
import type { LabAgents } from '../lab/labAgents.js';
import { removeLabOwnerTag } from '../lab/labOwnerTag.js';
import { labUp } from '../lab/labUp.js';
import { listNetns, removeNamespaces } from '../lab/removeNamespaces.js';
import { describeCommand } from '../lab/run.js';
import { manyHosts } from '../lab/topologies.js';

/*
 * npm run bench -- --only run [--quick] [--hosts 8,16,32]
 * node dist/scripts/bench/runPlanBench.js [--quick] [--hosts 8,16,32]
 *
 * `pathprobe run PLAN --json` (tests: [pmtu]) over manyHosts labs of 8, 16 and 32 hosts on one
 * 9000 switch, run from the lab's controller namespace: once at the default pmtuParallel (8) and
 * once at N/2, timing the command from spawn to exit. Every pair must come back ok 9000 in both
 * directions. Exit 0 when all did, 1 otherwise or on any error, 130 when interrupted.
 */

const HOST_COUNTS = [8, 16, 32] as const;
type HostCount = (typeof HOST_COUNTS)[number];
const DEFAULT_PMTU_PARALLEL = 8;
const JUMBO_BYTES = 9000;

interface BenchOptions {
  hosts: HostCount[];
}

class UsageError extends Error {}
class Interrupted extends Error {}

const USAGE = 'usage: runPlanBench.js [--quick] [--hosts 8,16,32]';

function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let hosts: HostCount[] | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--quick') quick = true;
    else if (flag === '--hosts') {
      const text = value();
      const counts = text.split(',').map((s) => Number(s));
      if (counts.length === 0 || counts.some((n) => !(HOST_COUNTS as readonly number[]).includes(n))) {
        throw new UsageError(`--hosts: a list of ${HOST_COUNTS.join(', ')}, not "${text}"`);
      }
      hosts = HOST_COUNTS.filter((n) => counts.includes(n));
    } else throw new UsageError(`unknown argument "${argv[i]}" (${USAGE})`);
  }
  // An explicit --hosts wins over --quick.
  return { hosts: hosts ?? (quick ? [8, 16] : [...HOST_COUNTS]) };
}

/** The lab being measured, so a signal can stop what runs in it. */
let currentLab: Lab | undefined;
const ownNamespaces: string[] = [];
let interruptedBy: NodeJS.Signals | null = null;

function checkpoint(): void {
  if (interruptedBy !== null) throw new Interrupted(`interrupted by ${interruptedBy}; lab torn down`);
}

/** As in pmtuBench: lab.down(), and a removal by name should that fail. */
async function tearDown(lab: Lab): Promise<void> {
  try {
    await lab.down();
  } catch {
    const left = await removeNamespaces(lab.namespaces);
    if (left.length > 0) throw new Error(`lab ${lab.id}: namespaces still present after teardown: ${left.join(', ')}`);
    removeLabOwnerTag(lab.id);
  }
}

/** The compiled programs, relative to dist/scripts/bench/ (as in labAgents.ts). */
const AGENT_MAIN = fileURLToPath(new URL('../../agent/main.js', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../../controller/cli/main.js', import.meta.url));
/** Agents started at once; each wave is listening before the next starts. */
const AGENT_WAVE = 8;
const AGENT_WAVE_TIMEOUT_MS = 15_000;

/**
 * startLabAgents (labAgents.ts) in waves of AGENT_WAVE: the same agent argv, one token for all,
 * processes that belong to the lab (so lab.down() kills them). startLabAgents starts every agent
 * at once with a fixed 15 s deadline, and on 2 cores 32 node processes starting together miss it
 * (16 took ~13 s); waves keep each agent's deadline meaningful.
 */
async function startAgentsInWaves(lab: Lab): Promise<LabAgents> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-lab-'));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const children: Array<{ name: string; child: ReturnType<Lab['spawn']> }> = [];
  const stop = async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  const startOne = (name: string): Promise<[string, string]> => {
    const host = lab.hosts[name]!;
    const child = lab.spawn(name, [process.execPath, AGENT_MAIN, '--listen', `${host.mgmtAddress}:${LAB_AGENT_PORT}`, '--token-file', tokenFile]);
    children.push({ name, child });
    return new Promise<[string, string]>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`agent on ${name} did not start in ${AGENT_WAVE_TIMEOUT_MS / 1000} s: ${stderr.trim()}`)), AGENT_WAVE_TIMEOUT_MS);
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve([name, match[1]!]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`agent on ${name} exited with ${code}: ${stderr.trim()}`));
      });
    });
  };
  try {
    const names = Object.keys(lab.hosts);
    const urls: Record<string, string> = {};
    for (let i = 0; i < names.length; i += AGENT_WAVE) {
      checkpoint();
      for (const [name, url] of await Promise.all(names.slice(i, i + AGENT_WAVE).map(startOne))) urls[name] = url;
    }
    return {
      urls,
      tokenFile,
      cli: (args, opts) => lab.exec('ctl', [process.execPath, CLI_MAIN, ...args], { timeoutMs: opts?.timeoutMs ?? 60_000 }),
      spawnCli: (args) => lab.spawn('ctl', [process.execPath, CLI_MAIN, ...args]),
      kill: (host) => children.find((c) => c.name === host)?.child.kill('SIGKILL'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const pairsOf = (hosts: number): number => (hosts * (hosts - 1)) / 2;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One timed `pathprobe run`. */
interface Pass {
  hosts: number;
  pairs: number;
  /** Pairs the report holds (should equal `pairs`). */
  reportedPairs: number;
  pmtuParallel: number;
  /** ⌈pairs / pmtuParallel⌉. */
  batches: number;
  /** Spawn to exit of the command. */
  wallMs: number;
  /** Spawn to the `[pmtu]` phase line: node start, plan, store, agents' facts. */
  beforePmtuMs: number | null;
  /** `[pmtu]` phase line to the last pair's result line. */
  pmtuPhaseMs: number | null;
  /** Last pair's result line to exit: roll-up, JSON. */
  afterPmtuMs: number | null;
  /** Median and largest single-direction sweep time the report gives. */
  medianSweepMs: number | null;
  maxSweepMs: number | null;
  exitCode: number | null;
  /** Empty when every direction is ok 9000. */
  wrong: string[];
  /** Directions not ok 9000 (or not measured at all). */
  badDirections: number;
  runId: string | null;
  /** 1-minute load average when the command exited: this box has 2 cores, other work skews the times. */
  load1: number;
}

function planBody(lab: Lab, agents: LabAgents, pmtuParallel: number | null): string {
  const lines = [`tokenFile: ${agents.tokenFile}`, 'agents:'];
  for (const name of Object.keys(agents.urls)) {
    lines.push(`  - { name: ${name}, url: "${agents.urls[name]}", addresses: [${lab.hosts[name]!.v4}], labels: { switch: sw1 } }`);
  }
  lines.push('tests: [pmtu]');
  // The default pass leaves concurrency out, so it measures what an operator gets by default.
  if (pmtuParallel !== null) lines.push(`concurrency: { pmtuParallel: ${pmtuParallel} }`);
  return `${lines.join('\n')}\n`;
}

/** What was wrong with a report, per pair and direction; empty when all is ok 9000. */
function checkReport(report: any, expectedPairs: number): string[] {
  const wrong: string[] = [];
  const pairs: any[] = Array.isArray(report?.pairs) ? report.pairs : [];
  if (pairs.length !== expectedPairs) wrong.push(`${pairs.length} pairs in the report, expected ${expectedPairs}`);
  for (const p of pairs) {
    const id = p?.pair?.id ?? '?';
    if (!p?.pmtu) {
      wrong.push(`${id}: no path-MTU result${p?.pmtuError ? ` (${p.pmtuError.message})` : ''}`);
      continue;
    }
    for (const [name, d] of [['forward', p.pmtu.forward], ['reverse', p.pmtu.reverse]] as const) {
      if (!d) wrong.push(`${id} ${name}: not measured`);
      else if (d.verdict !== 'ok' || d.pathMtu !== JUMBO_BYTES) {
        const why = d.error?.message ?? `${d.probes} probes in ${d.elapsedMs} ms, ${(d.probeLog ?? []).filter((r: any) => r.outcome === 'passed').length} answered`;
        wrong.push(`${id} ${name}: ${d.verdict} ${d.pathMtu ?? '-'} (${why})`);
      }
    }
  }
  return wrong;
}

/**
 * `pathprobe run PLAN --db DB --json` in the controller namespace. Spawned rather than exec'd so
 * stderr's progress lines can be timed as they come (phase boundaries); the wall time is spawn
 * to exit either way. The child belongs to the lab, so lab.down() kills it on a signal.
 */
async function runOnce(lab: Lab, agents: LabAgents, hosts: number, pmtuParallel: number | null): Promise<Pass> {
  const parallel = pmtuParallel ?? DEFAULT_PMTU_PARALLEL;
  const pairs = pairsOf(hosts);
  const batches = Math.ceil(pairs / parallel);
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-runbench-'));
  try {
    const planPath = join(dir, 'plan.yaml');
    const dbPath = join(dir, 'pathprobe.sqlite');
    await writeFile(planPath, planBody(lab, agents, pmtuParallel));
    // Every pass starts from clean PMTU caches (nothing should be learnt on a clean switch, but a
    // previous pass must not be able to help the next).
    await lab.flushPmtuCaches();
    checkpoint();
    // Setup + generous per batch (a clean jumbo sweep takes well under a second).
    const timeoutMs = 60_000 + batches * 15_000;
    const args = ['run', planPath, '--db', dbPath, '--json'];

    const startedAt = performance.now();
    let pmtuStartAt: number | null = null;
    let lastPmtuAt: number | null = null;
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = agents.spawnCli(args);
    const exit = await new Promise<{ code: number | null; endedAt: number }>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
      let partial = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        const now = performance.now();
        stderr += chunk;
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('[pmtu]')) pmtuStartAt ??= now;
          else if (line.startsWith('pmtu ')) lastPmtuAt = now;
        }
      });
      child.once('error', () => {
        clearTimeout(timer);
        resolve({ code: null, endedAt: performance.now() });
      });
      // 'close', not 'exit': all of stdout has been read by then.
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, endedAt: performance.now() });
      });
    });
    checkpoint();
    const wallMs = exit.endedAt - startedAt;
    const base: Pass = {
      hosts, pairs, reportedPairs: 0, pmtuParallel: parallel, batches, wallMs,
      beforePmtuMs: pmtuStartAt === null ? null : pmtuStartAt - startedAt,
      pmtuPhaseMs: pmtuStartAt !== null && lastPmtuAt !== null ? lastPmtuAt - pmtuStartAt : null,
      afterPmtuMs: lastPmtuAt === null ? null : exit.endedAt - lastPmtuAt,
      medianSweepMs: null, maxSweepMs: null, exitCode: exit.code, wrong: [], badDirections: 2 * pairs, runId: null,
      load1: loadavg()[0]!,
    };
    if (timedOut) return { ...base, wrong: [`pathprobe run timed out after ${timeoutMs / 1000} s`] };
    let report: any;
    try {
      report = JSON.parse(stdout);
    } catch {
      const lines = stderr.trim().split('\n').map((l) => l.trim()).filter((l) => l !== '');
      const why = (lines.find((l) => /error/i.test(l)) ?? lines.pop() ?? '').slice(0, 160);
      return { ...base, wrong: [`pathprobe run exit ${exit.code}, no JSON${why ? `: ${why}` : ''}`] };
    }
    const wrong = checkReport(report, pairs);
    const okDirections = (Array.isArray(report.pairs) ? report.pairs : []).flatMap((p: any) => [p?.pmtu?.forward, p?.pmtu?.reverse])
      .filter((d: any) => d?.verdict === 'ok' && d?.pathMtu === JUMBO_BYTES).length;
    if (exit.code !== 0) wrong.unshift(`pathprobe run exit ${exit.code}`);
    const planned = report?.plan?.concurrency?.pmtuParallel;
    if (planned !== parallel) wrong.unshift(`report says pmtuParallel ${planned}, expected ${parallel}`);
    const sweeps = (report.pairs ?? []).flatMap((p: any) => [p?.pmtu?.forward, p?.pmtu?.reverse])
      .map((d: any) => d?.elapsedMs).filter((v: unknown): v is number => typeof v === 'number');
    return {
      ...base,
      reportedPairs: Array.isArray(report.pairs) ? report.pairs.length : 0,
      medianSweepMs: median(sweeps),
      maxSweepMs: sweeps.length > 0 ? Math.max(...sweeps) : null,
      wrong,
      badDirections: 2 * pairs - okDirections,
      runId: typeof report.runId === 'string' ? report.runId : null,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface LabTimes {
  hosts: number;
  buildMs: number;
  agentsMs: number;
  downMs: number;
}

async function benchOneSize(hosts: HostCount, passes: Pass[], labTimes: LabTimes[], commands: string[]): Promise<void> {
  checkpoint();
  const lab = await labUp(manyHosts({ hosts }));
  currentLab = lab;
  ownNamespaces.push(...lab.namespaces);
  const times: LabTimes = { hosts, buildMs: lab.buildMs, agentsMs: 0, downMs: 0 };
  labTimes.push(times);
  try {
    checkpoint();
    const agentsStart = performance.now();
    const agents = await startAgentsInWaves(lab);
    times.agentsMs = performance.now() - agentsStart;
    console.error(`  ${hosts} hosts: lab up in ${(lab.buildMs / 1000).toFixed(1)} s, ${hosts} agents in ${(times.agentsMs / 1000).toFixed(1)} s`);
    try {
      // The default, then N/2 (unless that is the default again).
      const parallels: Array<number | null> = [null];
      if (hosts / 2 !== DEFAULT_PMTU_PARALLEL) parallels.push(hosts / 2);
      for (const p of parallels) {
        const pass = await runOnce(lab, agents, hosts, p);
        passes.push(pass);
        const phases = `before pmtu ${secs(pass.beforePmtuMs)} s, pmtu ${secs(pass.pmtuPhaseMs)} s, after ${secs(pass.afterPmtuMs)} s`;
        console.error(`  ${hosts} hosts, pmtuParallel ${pass.pmtuParallel}${p === null ? ' (default)' : ''}: ${pass.pairs} pairs in `
          + `${secs(pass.wallMs)} s (${phases}, load ${pass.load1.toFixed(1)}), ${pass.wrong.length === 0 ? 'all ok 9000' : `WRONG: ${pass.wrong.slice(0, 3).join('; ')}`}`);
        if (commands.length === 0) commands.push(`node dist/controller/cli/main.js ${describeCommand(['run', 'PLAN.yaml', '--db', 'DB.sqlite', '--json'])}   (in ${lab.controllerNetns})`);
      }
    } finally {
      await agents.stop();
    }
  } finally {
    const downStart = performance.now();
    await tearDown(lab);
    times.downMs = performance.now() - downStart;
    currentLab = undefined;
  }
}

function secs(ms: number | null, digits = 1): string {
  return ms === null ? '-' : (ms / 1000).toFixed(digits);
}

function formatTable(passes: readonly Pass[]): string {
  const head = ['hosts', 'pairs', 'pmtuParallel', 'batches', 'wall s', 'pmtu phase s', 's per batch', 's per pair', 'pairs/s', 'all verdicts ok'];
  const lines = passes.map((p) => [
    String(p.hosts), String(p.pairs), String(p.pmtuParallel), String(p.batches), secs(p.wallMs, 2), secs(p.pmtuPhaseMs, 2),
    p.pmtuPhaseMs === null ? '-' : (p.pmtuPhaseMs / 1000 / p.batches).toFixed(2),
    (p.wallMs / 1000 / p.pairs).toFixed(3), (p.pairs / (p.wallMs / 1000)).toFixed(1),
    p.wrong.length === 0 ? 'ok 9000' : `WRONG (${p.badDirections} of ${2 * p.pairs} directions)`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  const rule = '-'.repeat(fmt(head).length);
  return [fmt(head), rule, ...lines.map(fmt), rule].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const opts = parseOptions(argv);
  // The main flow stops at its next checkpoint and tears down in its finally; the teardown here
  // only stops what runs right now (the pathprobe run, the agents). Repeats are ignored.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interruptedBy !== null) return;
    interruptedBy = signal;
    console.error(`runPlanBench: ${signal}, tearing the lab down`);
    if (currentLab) void tearDown(currentLab).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const passes: Pass[] = [];
  const labTimes: LabTimes[] = [];
  const commands: string[] = [];
  let leftover: string[] = [];
  try {
    console.error(`runPlanBench: manyHosts ${opts.hosts.join(', ')} hosts, tests [pmtu], pmtuParallel ${DEFAULT_PMTU_PARALLEL} (default) and N/2`);
    for (const hosts of opts.hosts) await benchOneSize(hosts, passes, labTimes, commands);
  } catch (err) {
    if (interruptedBy !== null && !(err instanceof Interrupted)) throw new Interrupted(`interrupted by ${interruptedBy}; lab torn down`);
    throw err;
  } finally {
    const present = new Set(await listNetns());
    leftover = ownNamespaces.filter((n) => present.has(n));
    if (leftover.length > 0) console.error(`runPlanBench: namespaces left behind: ${leftover.join(', ')}`);
  }
  if (leftover.length > 0) throw new Error('namespaces left behind (see above)');

  console.log(formatTable(passes));
  console.log('');
  console.log('Pairs grow as N(N−1)/2 (8 → 28, 16 → 120, 32 → 496); with P sweeps at once the path-MTU phase is ⌈pairs/P⌉ batches,');
  console.log('so wall time follows the batches (about constant s per batch), not the pairs: at a fixed P it grows ~N², at P = N/2 ~N.');
  console.log('');
  console.log('wall s = spawn to exit of `pathprobe run`; pmtu phase = its "[pmtu]" line to the last pair\'s line; the rest is node start,');
  console.log('plan, store, facts from every agent (before) and roll-up + JSON (after):');
  for (const p of passes) {
    console.log(`  ${p.hosts} hosts P${p.pmtuParallel}: before ${secs(p.beforePmtuMs, 2)} s, pmtu ${secs(p.pmtuPhaseMs, 2)} s, after ${secs(p.afterPmtuMs, 2)} s; `
      + `one direction's sweep: median ${p.medianSweepMs === null ? '-' : Math.round(p.medianSweepMs)} ms, max ${p.maxSweepMs === null ? '-' : Math.round(p.maxSweepMs)} ms; load average ${p.load1.toFixed(1)}`);
  }
  console.log('lab (not in wall s):');
  for (const t of labTimes) {
    console.log(`  ${t.hosts} hosts: labUp ${secs(t.buildMs)} s, agents ${secs(t.agentsMs)} s, teardown ${secs(t.downMs)} s`);
  }
  if (opts.hosts.includes(16)) console.log('16 hosts: N/2 = 8 is the default, so one pass.');
  console.log('');
  console.log('command:');
  for (const c of commands) console.log(`  ${c}`);
  const wrong = passes.filter((p) => p.wrong.length > 0);
  for (const p of wrong) {
    console.error(`runPlanBench: WRONG at ${p.hosts} hosts P${p.pmtuParallel}: ${p.wrong.slice(0, 5).join('; ')}${p.wrong.length > 5 ? ` (+${p.wrong.length - 5} more)` : ''}`);
  }
  return wrong.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`runPlanBench: ${message.split('\n')[0]}`);
    process.exitCode = err instanceof Interrupted ? 130 : 1;
  },
);
