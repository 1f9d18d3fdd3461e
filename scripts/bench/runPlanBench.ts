import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fabricSample } from '../../controller/plan/fabricSample.js';
import { median } from '../../controller/model/sampleStats.js';
import type { Lab } from '../lab/lab.js';
import type { LabAgents } from '../lab/labAgents.js';
import { describeCommand } from '../lab/run.js';
import { manyHosts } from '../lab/topologies.js';
import { UsageError, runBench } from './runBench.js';
import type { BenchSession, LabTiming } from './runBench.js';

/*
 * npm run bench -- --only run [--quick] [--hosts 8,16,32] [--flows auto|N]
 * node dist/scripts/bench/runPlanBench.js [--quick] [--hosts 8,16,32] [--flows auto|N]
 *
 * `pathprobe run PLAN --json` (tests: [pmtu]) over manyHosts labs of 8, 16 and 32 hosts on one
 * 9000 switch, run from the lab's controller namespace: once at the default pmtuParallel (8) and
 * once at N/2, timing the command from spawn to exit. Every pair must come back ok 9000 in both
 * directions. Exit 0 when all did, 1 otherwise or on any error, 130 when interrupted.
 */

const HOST_COUNTS = [8, 16, 32, 64] as const;
/** 64 hosts only when asked: its full mesh alone is 2016 pairs, some 8 minutes on 2 cores. */
const DEFAULT_HOST_COUNTS: HostCount[] = [8, 16, 32];
type HostCount = (typeof HOST_COUNTS)[number];
const DEFAULT_PMTU_PARALLEL = 8;
const JUMBO_BYTES = 9000;

interface BenchOptions {
  hosts: HostCount[];
  /** The plan's `pmtu.flows`: null leaves it out (the plan default). */
  flows: string | null;
  /** Full mesh, the fabric sample (racks of 8 hosts, by `switch` label), or both side by side. */
  pairing: Pairing[];
}

type Pairing = 'mesh' | 'fabric';

/** manyHosts hosts grouped in racks of this many for the fabric sample (switch labels tor1, tor2, …). */
const HOSTS_PER_RACK = 8;
const torOfHost = (name: string) => `tor${Math.ceil(Number(name.slice(1)) / HOSTS_PER_RACK)}`;

/** The pairs a fabric plan of `hosts` manyHosts hosts tests, by the controller's own sample. */
function fabricPairsOf(hosts: number): number {
  const endpoints = Array.from({ length: hosts }, (_, i) => ({ agent: `h${i + 1}`, address: `198.18.1.${i + 1}` }));
  return fabricSample(endpoints, (e) => torOfHost(e.agent)).length;
}

const USAGE = 'usage: runPlanBench.js [--quick] [--hosts 8,16,32,64] [--flows auto|N] [--pairs mesh|fabric|both]';

function benchOptions({ quick, values }: { quick: boolean; values: Record<string, string | undefined> }): BenchOptions {
  let hosts: HostCount[] | null = null;
  if (values.hosts !== undefined) {
    const text = values.hosts;
    const counts = text.split(',').map((s) => Number(s));
    if (counts.length === 0 || counts.some((n) => !(HOST_COUNTS as readonly number[]).includes(n))) {
      throw new UsageError(`--hosts: a list of ${HOST_COUNTS.join(', ')}, not "${text}"`);
    }
    hosts = HOST_COUNTS.filter((n) => counts.includes(n));
  }
  const flows = values.flows ?? null;
  if (flows !== null && flows !== 'auto' && !/^[1-9]\d*$/.test(flows)) throw new UsageError(`--flows: auto or a count, not "${flows}"`);
  const pairs = values.pairs ?? 'mesh';
  if (pairs !== 'mesh' && pairs !== 'fabric' && pairs !== 'both') throw new UsageError(`--pairs: mesh, fabric or both, not "${pairs}"`);
  const pairing: Pairing[] = pairs === 'both' ? ['mesh', 'fabric'] : [pairs];
  // An explicit --hosts wins over --quick.
  return { hosts: hosts ?? (quick ? [8, 16] : DEFAULT_HOST_COUNTS), flows, pairing };
}

const pairsOf = (hosts: number): number => (hosts * (hosts - 1)) / 2;

/** One timed `pathprobe run`. */
interface Pass {
  hosts: number;
  pairing: Pairing;
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

function planBody(lab: Lab, agents: LabAgents, pmtuParallel: number | null, flows: string | null, pairing: Pairing): string {
  const lines = [`tokenFile: ${agents.tokenFile}`, 'agents:'];
  for (const name of Object.keys(agents.urls)) {
    const tor = pairing === 'fabric' ? torOfHost(name) : 'sw1';
    lines.push(`  - { name: ${name}, url: "${agents.urls[name]}", addresses: [${lab.hosts[name]!.v4}], labels: { switch: ${tor} } }`);
  }
  lines.push('tests: [pmtu]');
  if (pairing === 'fabric') lines.push('pairs: fabric');
  if (flows !== null) lines.push(`pmtu: { flows: ${flows} }`);
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
        const why = d.error?.message ?? `${d.probes} probes in ${d.elapsedMs} ms, ${(d.probeLog ?? []).filter((r: any) => r.outcome === 'passed').length} answered${d.probeLogOmitted ? ` of the ${(d.probeLog ?? []).length} logged (${d.probeLogOmitted} of other flows left out)` : ''}`;
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
async function runOnce(session: BenchSession, lab: Lab, agents: LabAgents, hosts: number, pmtuParallel: number | null, flows: string | null, pairing: Pairing): Promise<Pass> {
  const parallel = pmtuParallel ?? DEFAULT_PMTU_PARALLEL;
  const pairs = pairing === 'fabric' ? fabricPairsOf(hosts) : pairsOf(hosts);
  const batches = Math.ceil(pairs / parallel);
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-runbench-'));
  try {
    const planPath = join(dir, 'plan.yaml');
    const dbPath = join(dir, 'pathprobe.sqlite');
    await writeFile(planPath, planBody(lab, agents, pmtuParallel, flows, pairing));
    // Every pass starts from clean PMTU caches (nothing should be learnt on a clean switch, but a
    // previous pass must not be able to help the next).
    await lab.flushPmtuCaches();
    session.checkpoint();
    // Setup + generous per batch (a clean jumbo sweep takes well under a second).
    const timeoutMs = 60_000 + batches * 15_000;
    const args = ['run', planPath, '--db', dbPath, '--json'];

    const startedAt = performance.now();
    let pmtuStartAt: number | null = null;
    let lastPmtuAt: number | null = null;
    // To a file: a 2016-pair report is some 45 MB, more than a capture should hold in memory.
    const reportPath = join(dir, 'report.json');
    const child = agents.spawnCli(args, { timeoutMs, stdoutFile: reportPath });
    let partial = '';
    child.stderr?.on('data', (chunk: string) => {
      const now = performance.now();
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('[pmtu]')) pmtuStartAt ??= now;
        else if (line.startsWith('pmtu ')) lastPmtuAt = now;
      }
    });
    // The result comes once the process has exited: the report file is complete by then.
    const { exitCode, timedOut, stderr } = await child.result;
    const exit = { code: exitCode, endedAt: performance.now() };
    session.checkpoint();
    const wallMs = exit.endedAt - startedAt;
    const base: Pass = {
      hosts, pairing, pairs, reportedPairs: 0, pmtuParallel: parallel, batches, wallMs,
      beforePmtuMs: pmtuStartAt === null ? null : pmtuStartAt - startedAt,
      pmtuPhaseMs: pmtuStartAt !== null && lastPmtuAt !== null ? lastPmtuAt - pmtuStartAt : null,
      afterPmtuMs: lastPmtuAt === null ? null : exit.endedAt - lastPmtuAt,
      medianSweepMs: null, maxSweepMs: null, exitCode: exit.code, wrong: [], badDirections: 2 * pairs, runId: null,
      load1: loadavg()[0]!,
    };
    if (timedOut) return { ...base, wrong: [`pathprobe run timed out after ${timeoutMs / 1000} s`] };
    let report: any;
    try {
      report = JSON.parse(await readFile(reportPath, 'utf8'));
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
  timing: LabTiming;
}

function benchOneSize(session: BenchSession, hosts: HostCount, opts: BenchOptions, passes: Pass[], labTimes: LabTimes[], commands: string[]): Promise<void> {
  const { flows } = opts;
  return session.withLab(manyHosts({ hosts }), 'all', async ({ lab, agents, timing }) => {
    labTimes.push({ hosts, timing });
    session.progress(`${hosts} hosts: lab up in ${(lab.buildMs / 1000).toFixed(1)} s, ${hosts} agents in ${(timing.agentsMs / 1000).toFixed(1)} s`);
    // The default, then N/2 (unless that is the default again).
    // The mesh at the default and at N/2 (up to 32 hosts: at 64 the N/2 pass would double an
    // 8-minute run to show what 16 and 32 already show); a fabric sample at the default, beside it.
    const half = hosts / 2 !== DEFAULT_PMTU_PARALLEL && hosts <= 32;
    const runs: Array<[Pairing, number | null]> = opts.pairing.flatMap((pairing): Array<[Pairing, number | null]> =>
      pairing === 'fabric' ? [['fabric', null]] : [['mesh', null], ...(half ? [['mesh', hosts / 2] as [Pairing, number]] : [])]);
    for (const [pairing, p] of runs) {
      const pass = await runOnce(session, lab, agents, hosts, p, flows, pairing);
      passes.push(pass);
      const phases = `before pmtu ${secs(pass.beforePmtuMs)} s, pmtu ${secs(pass.pmtuPhaseMs)} s, after ${secs(pass.afterPmtuMs)} s`;
      session.progress(`${hosts} hosts, ${pairing === 'fabric' ? 'fabric sample' : 'full mesh'}, pmtuParallel ${pass.pmtuParallel}${p === null ? ' (default)' : ''}: ${pass.pairs} pairs in `
        + `${secs(pass.wallMs)} s (${phases}, load ${pass.load1.toFixed(1)}), ${pass.wrong.length === 0 ? 'all ok 9000' : `WRONG: ${pass.wrong.slice(0, 3).join('; ')}`}`);
      if (commands.length === 0) commands.push(`node dist/controller/cli/main.js ${describeCommand(['run', 'PLAN.yaml', '--db', 'DB.sqlite', '--json'])}   (in ${lab.controllerNetns})`);
    }
  });
}

function secs(ms: number | null, digits = 1): string {
  return ms === null ? '-' : (ms / 1000).toFixed(digits);
}

function formatTable(passes: readonly Pass[]): string {
  const head = ['hosts', 'pairs of', 'pairs', 'pmtuParallel', 'batches', 'wall s', 'pmtu phase s', 's per batch', 's per pair', 'pairs/s', 'all verdicts ok'];
  const lines = passes.map((p) => [
    String(p.hosts), p.pairing === 'fabric' ? 'fabric' : 'mesh', String(p.pairs), String(p.pmtuParallel), String(p.batches), secs(p.wallMs, 2), secs(p.pmtuPhaseMs, 2),
    p.pmtuPhaseMs === null ? '-' : (p.pmtuPhaseMs / 1000 / p.batches).toFixed(2),
    (p.wallMs / 1000 / p.pairs).toFixed(3), (p.pairs / (p.wallMs / 1000)).toFixed(1),
    p.wrong.length === 0 ? 'ok 9000' : `WRONG (${p.badDirections} of ${2 * p.pairs} directions)`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  const rule = '-'.repeat(fmt(head).length);
  return [fmt(head), rule, ...lines.map(fmt), rule].join('\n');
}

runBench<BenchOptions>({
  name: 'runPlanBench',
  usage: USAGE,
  valueFlags: ['hosts', 'flows', 'pairs'],
  options: benchOptions,
  run: async (opts, session) => {
    const passes: Pass[] = [];
    const labTimes: LabTimes[] = [];
    const commands: string[] = [];
    session.say(`manyHosts ${opts.hosts.join(', ')} hosts, tests [pmtu], pmtu flows ${opts.flows ?? 'plan default'}, pmtuParallel ${DEFAULT_PMTU_PARALLEL} (default) and N/2`);
    for (const hosts of opts.hosts) await benchOneSize(session, hosts, opts, passes, labTimes, commands);
    console.log(formatTable(passes));
    console.log('');
    console.log('Pairs grow as N(N−1)/2 (8 → 28, 16 → 120, 32 → 496); with P sweeps at once the path-MTU phase is ⌈pairs/P⌉ batches,');
    console.log('so wall time follows the batches (about constant s per batch), not the pairs: at a fixed P it grows ~N², at P = N/2 ~N.');
    if (opts.pairing.includes('fabric')) {
      console.log(`A fabric sample (racks of ${HOSTS_PER_RACK}: every pair within a rack, every rack pair once, every host across racks) grows ~N: `
        + HOST_COUNTS.map((n) => `${n} hosts ${fabricPairsOf(n)} pairs against ${pairsOf(n)}`).join(', ') + '.');
    }
    console.log('');
    console.log('wall s = spawn to exit of `pathprobe run`; pmtu phase = its "[pmtu]" line to the last pair\'s line; the rest is node start,');
    console.log('plan, store, facts from every agent (before) and roll-up + JSON (after):');
    for (const p of passes) {
      console.log(`  ${p.hosts} hosts P${p.pmtuParallel}: before ${secs(p.beforePmtuMs, 2)} s, pmtu ${secs(p.pmtuPhaseMs, 2)} s, after ${secs(p.afterPmtuMs, 2)} s; `
        + `one direction's sweep: median ${p.medianSweepMs === null ? '-' : Math.round(p.medianSweepMs)} ms, max ${p.maxSweepMs === null ? '-' : Math.round(p.maxSweepMs)} ms; load average ${p.load1.toFixed(1)}`);
    }
    console.log('lab (not in wall s):');
    for (const t of labTimes) {
      console.log(`  ${t.hosts} hosts: labUp ${secs(t.timing.buildMs)} s, agents ${secs(t.timing.agentsMs)} s, teardown ${secs(t.timing.teardownMs)} s`);
    }
    if (opts.hosts.includes(16)) console.log('16 hosts: N/2 = 8 is the default, so one pass.');
    console.log('');
    console.log('command:');
    for (const c of commands) console.log(`  ${c}`);
    const wrong = passes.filter((p) => p.wrong.length > 0);
    for (const p of wrong) {
      session.say(`WRONG at ${p.hosts} hosts P${p.pmtuParallel}: ${p.wrong.slice(0, 5).join('; ')}${p.wrong.length > 5 ? ` (+${p.wrong.length - 5} more)` : ''}`);
    }
    return wrong.length === 0 ? 0 : 1;
  },
});
