import { setMaxListeners } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, type StartedProcess } from '../lab/run.js';
import {
  benchPlanYaml, cpuTicksOfStat, fabricPairsOf, megabytes, memoryOfStatus, parentOfStat, torOf, type BenchPlanAgent,
} from './controlPlaneMeasures.js';
import { runBench, UsageError, type BenchSession } from './runBench.js';
import { simulatedDataAddress } from './simulatedAgentAnswers.js';

/*
 * node dist/scripts/bench/controlPlaneBench.js [--quick] [--agents 10,100,500,2000] [--real 100] [--rack 16] [--flows 1] [--max-pairs 100000]
 *
 * A step whose fabric sample has more than --max-pairs pairs still asks every agent for its facts
 * and plans every pair, but measures only the pairs crossing rack tor1 (`run --only-through
 * switch=tor1`), for a machine too loaded to measure 22,750 pairs (2000 agents) in minutes.
 *
 * One controller (`pathprobe run PLAN --db DB`, a real process) against
 * - REAL agents: `pathprobe agent --listen 127.0.0.1:0` processes as a user starts them. On
 *   loopback every agent holds the same 127.0.0.1 (the controller never tests loopback, and a plan
 *   cannot give two agents one address), so through them the bench measures the facts phase and
 *   the agents' own idle cost, not path MTU;
 * - SIMULATED agents (simulatedAgents.ts: one process, one HTTP server per agent, canned answers
 *   valid against proto/agentApi.ts): facts, fabric planning, path-MTU scheduling (responders,
 *   sweeps, closes) and storage at 10 … 2000 agents.
 * Reported per step: wall time of each phase, the controller's peak RSS (VmHWM, polled), and the
 * SQLite store's bytes. Nothing leaves 127.0.0.1; no namespace, no lab.
 */

const CLI_MAIN = fileURLToPath(new URL('../../controller/cli/main.js', import.meta.url));
const SIMULATED_AGENTS = fileURLToPath(new URL('./simulatedAgents.js', import.meta.url));
const PMTU_PARALLEL = 64;
const TICKS_PER_SECOND = 100;
const IDLE_WINDOW_MS = 10_000;
const AGENT_WAVE = 8;
const IDLE_AGENT_MAX_RSS_BYTES = 80 * 1024 * 1024;

const USAGE = 'usage: controlPlaneBench.js [--quick] [--agents 10,100,500,2000] [--real 100] [--rack 16] [--flows 1] [--max-pairs 100000]';

interface Options { simulated: number[]; real: number; perRack: number; flows: number; maxPairs: number }

function countList(value: string | undefined, fallback: number[], flag: string): number[] {
  if (value === undefined) return fallback;
  const counts = value.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 2 || n > 5000)) throw new UsageError(`--${flag}: agent counts from 2 to 5000, such as 10,100 (${USAGE})`);
  return counts;
}

function oneCount(value: string | undefined, fallback: number, flag: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag}: a whole number from ${min} to ${max} (${USAGE})`);
  return n;
}

interface Phase { ms: number | null; peakBytes: number | null }

interface ControllerRun {
  label: string;
  agents: number;
  pairs: number;
  /** What the controller's "[pmtu] path MTU of N pairs" line said (the pairs measured); null without one. */
  plannedPairs: number | null;
  /** With --only-through: the pairs of the whole plan, from its "only the pairs crossing …: N of M" line. */
  ofAllPairs: number | null;
  exitCode: number | null;
  wallMs: number;
  facts: Phase;
  pmtu: Phase;
  report: Phase;
  storeBytes: number;
  stderrTail: string;
  /** Progress lines that are neither a phase, a pair's result nor the run's own notes: failures. */
  otherLines: number;
  firstOthers: string[];
}

/** Peak RSS of a running process so far, or null once it is gone. */
function peakOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    return memoryOfStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).peakBytes;
  } catch {
    return null;
  }
}

async function storeBytes(dbPath: string): Promise<number> {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) total += await stat(`${dbPath}${suffix}`).then((s) => s.size, () => 0);
  return total;
}

/**
 * `pathprobe run PLAN --db DB` as its own process, its progress lines timed as they come:
 * facts = the `[facts]` line to the `[pmtu]` line, pmtu = to the last pair's line, report = to
 * exit (roll-up read back from the store, summary printed). Peak RSS is VmHWM, polled.
 */
async function runController(session: BenchSession, dir: string, label: string, agents: readonly BenchPlanAgent[], pairs: number, flows: number, onlyThrough: string | null = null): Promise<ControllerRun> {
  const planPath = join(dir, `${label}.yaml`);
  const dbPath = join(dir, `${label}.sqlite`);
  await writeFile(planPath, benchPlanYaml({ tokenFile: join(dir, 'token'), agents, pmtuParallel: PMTU_PARALLEL, flows }));
  session.checkpoint();
  const startedAt = performance.now();
  const child = start([process.execPath, CLI_MAIN, 'run', planPath, '--db', dbPath, ...(onlyThrough ? ['--only-through', onlyThrough] : [])], {
    timeoutMs: 120_000 + pairs * 100, stdoutFile: join(dir, `${label}.out`), signal: session.signal,
  });
  const stopChild = session.defer(async () => { if (child.running()) await child.stop(); });
  const marks: { facts?: number; pmtu?: number; lastPair?: number } = {};
  let plannedPairs: number | null = null;
  let ofAllPairs: number | null = null;
  let otherLines = 0;
  const firstOthers: string[] = [];
  const peaks: { facts?: number | null; pmtu?: number | null } = {};
  let lastPeak: number | null = null;
  const poll = setInterval(() => { lastPeak = peakOf(child.pid) ?? lastPeak; }, 50);
  let partial = '';
  child.stderr?.on('data', (chunk: string) => {
    const now = performance.now();
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('[facts]')) marks.facts ??= now;
      else if (line.startsWith('only the pairs crossing')) ofAllPairs = Number(/ of (\d+)$/.exec(line)?.[1] ?? NaN);
      else if (line.startsWith('[pmtu]') && marks.pmtu === undefined) {
        marks.pmtu = now;
        peaks.facts = peakOf(child.pid);
        plannedPairs = Number(/path MTU of (\d+) pairs/.exec(line)?.[1] ?? NaN);
      } else if (line.startsWith('pmtu ')) marks.lastPair = now;
      else if (!/^(run |plan: |full mesh |only the pairs |\[)/.test(line)) {
        otherLines += 1;
        if (firstOthers.length < 3) firstOthers.push(line.slice(0, 200));
      }
    }
  });
  const result = await child.result;
  clearInterval(poll);
  await stopChild();
  const endedAt = performance.now();
  if (marks.lastPair !== undefined) peaks.pmtu = lastPeak;
  const span = (from: number | undefined, to: number | undefined): number | null => (from === undefined || to === undefined ? null : to - from);
  const measuredEnd = marks.lastPair ?? marks.pmtu;
  return {
    label, agents: agents.length, pairs, plannedPairs, ofAllPairs, exitCode: result.exitCode, wallMs: endedAt - startedAt,
    facts: { ms: span(marks.facts, marks.pmtu ?? measuredEnd ?? endedAt), peakBytes: peaks.facts ?? null },
    pmtu: { ms: marks.lastPair === undefined ? null : span(marks.pmtu, marks.lastPair), peakBytes: peaks.pmtu ?? null },
    report: { ms: span(measuredEnd, endedAt), peakBytes: lastPeak },
    storeBytes: await storeBytes(dbPath),
    stderrTail: result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300),
    otherLines, firstOthers,
  };
}

interface RealAgents { urls: string[]; pids: number[]; stop(): Promise<void> }

/** `pathprobe agent --listen 127.0.0.1:0 --token-file F` × n, in waves, each once it says where it listens. */
async function startRealAgents(session: BenchSession, n: number, tokenFile: string): Promise<RealAgents> {
  const started: StartedProcess[] = [];
  const stop = session.defer(async () => { await Promise.all(started.map((p) => p.stop())); });
  const urls: string[] = [];
  for (let first = 0; first < n; first += AGENT_WAVE) {
    session.checkpoint();
    const wave = Array.from({ length: Math.min(AGENT_WAVE, n - first) }, () => {
      const agent = start([process.execPath, CLI_MAIN, 'agent', '--listen', '127.0.0.1:0', '--token-file', tokenFile], { signal: session.signal });
      started.push(agent);
      return new Promise<string>((resolve, reject) => {
        let out = '';
        agent.stdout?.on('data', (chunk: string) => {
          out += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        void agent.result.then((r) => reject(new Error(`pathprobe agent exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop()}`)));
      });
    });
    urls.push(...await Promise.all(wave));
  }
  return { urls, pids: started.map((p) => p.pid!), stop };
}

interface IdleCost { rssBytes: number; cpuPercent: number; children: number; oneRssBytes: number }

/** The real agents' summed RSS after settling, and their CPU over an idle window. */
async function idleCost(pids: readonly number[]): Promise<IdleCost> {
  const ticks = () => pids.reduce((sum, pid) => sum + cpuTicksOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')), 0);
  const before = ticks();
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  const cpuPercent = ((ticks() - before) / TICKS_PER_SECOND) / (IDLE_WINDOW_MS / 1000) * 100;
  const rss = pids.map((pid) => memoryOfStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).rssBytes ?? 0);
  const own = new Set(pids);
  let children = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (own.has(parentOfStat(readFileSync(`/proc/${entry}/stat`, 'utf8')))) children += 1;
    } catch { /* gone meanwhile */ }
  }
  return { rssBytes: rss.reduce((a, b) => a + b, 0), cpuPercent, children, oneRssBytes: rss[0] ?? 0 };
}

/** The simulated agents' server, and the URL of each agent once all listen. */
async function startSimulated(session: BenchSession, count: number): Promise<{ urls: string[]; stop(): Promise<void> }> {
  session.checkpoint();
  const server = start([process.execPath, SIMULATED_AGENTS, '--count', String(count)], { signal: session.signal });
  const stop = session.defer(async () => { await server.stop(); });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { ports: number[] }).ports);
    });
    void server.result.then((r) => reject(new Error(`simulatedAgents exited ${r.exitCode}: ${r.stderr.trim()}`)));
  });
  return { urls: ports.map((port) => `http://127.0.0.1:${port}`), stop };
}

const secs = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(2));

function table(runs: readonly ControllerRun[]): string {
  const head = ['agents', 'kind', 'pairs measured', 'exit', 'wall s', 'facts s', 'MB', 'pmtu s', 'MB', 'report s', 'peak MB', 'store MB', 'store B/pair'];
  const rows = runs.map((r) => [
    String(r.agents), r.label.startsWith('real') ? 'REAL' : 'SIMULATED', r.ofAllPairs === null ? String(r.pairs) : `${r.plannedPairs} of ${r.pairs}`, String(r.exitCode), secs(r.wallMs),
    secs(r.facts.ms), megabytes(r.facts.peakBytes), secs(r.pmtu.ms), megabytes(r.pmtu.peakBytes), secs(r.report.ms), megabytes(r.report.peakBytes),
    megabytes(r.storeBytes), r.pairs === 0 ? '-' : String(Math.round(r.storeBytes / (r.plannedPairs ?? r.pairs))),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [head, ...rows].map((row) => row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n');
}

runBench<Options>({
  name: 'controlPlaneBench',
  usage: USAGE,
  valueFlags: ['agents', 'real', 'rack', 'flows', 'max-pairs'],
  options: ({ quick, values }) => ({
    simulated: countList(values.agents, quick ? [10, 100] : [10, 100, 500, 2000], 'agents'),
    real: oneCount(values.real, quick ? 10 : 100, 'real', 2, 500),
    perRack: oneCount(values.rack, 16, 'rack', 2, 1000),
    flows: oneCount(values.flows, 1, 'flows', 1, 64),
    maxPairs: oneCount(values['max-pairs'], 100_000, 'max-pairs', 1, 10_000_000),
  }),
  run: async (opts, session) => {
    // One abort listener per started process (100 real agents): not a leak.
    setMaxListeners(0, session.signal);
    const dir = await mkdtemp(join(tmpdir(), 'pathprobe-controlplane-'));
    session.defer(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'token'), 'control-plane bench token\n', { mode: 0o600 });
    session.say(`${opts.real} REAL agents, then SIMULATED ${opts.simulated.join(', ')}; fabric racks of ${opts.perRack} (switch labels), pmtu flows ${opts.flows}, pmtuParallel ${PMTU_PARALLEL}`);
    const runs: ControllerRun[] = [];

    session.progress(`starting ${opts.real} real \`pathprobe agent\` processes`);
    const real = await startRealAgents(session, opts.real, join(dir, 'token'));
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const idle = await idleCost(real.pids);
    session.progress(`real agents idle: ${megabytes(idle.rssBytes)} MB RSS in all, ${idle.cpuPercent.toFixed(2)} % of one core, ${idle.children} child processes`);
    const realAgents = real.urls.map((url, i) => ({ name: `real${i + 1}`, url, addresses: [], tor: torOf(i, opts.perRack) }));
    const realRun = await runController(session, dir, `real-${opts.real}`, realAgents, 0, opts.flows);
    runs.push(realRun);
    session.progress(`real facts: exit ${realRun.exitCode}, wall ${secs(realRun.wallMs)} s, facts ${secs(realRun.facts.ms)} s, controller peak ${megabytes(realRun.report.peakBytes)} MB`);
    const after = await idleCost(real.pids);
    await real.stop();

    for (const count of opts.simulated) {
      const pairs = fabricPairsOf(count, opts.perRack);
      session.progress(`${count} simulated agents, ${pairs} pairs`);
      const simulated = await startSimulated(session, count);
      const agents = simulated.urls.map((url, i) => ({ name: `sim${i + 1}`, url, addresses: [simulatedDataAddress(i)], tor: torOf(i, opts.perRack) }));
      try {
        const restricted = pairs > opts.maxPairs;
        const run = await runController(session, dir, `sim-${count}`, agents, pairs, opts.flows, restricted ? 'switch=tor1' : null);
        runs.push(run);
        session.progress(`${count}: exit ${run.exitCode}, measured ${run.plannedPairs} of ${run.ofAllPairs ?? run.plannedPairs} pairs, wall ${secs(run.wallMs)} s; facts ${secs(run.facts.ms)} s (${megabytes(run.facts.peakBytes)} MB), `
          + `pmtu ${secs(run.pmtu.ms)} s (${megabytes(run.pmtu.peakBytes)} MB), report ${secs(run.report.ms)} s (${megabytes(run.report.peakBytes)} MB); store ${megabytes(run.storeBytes)} MB; load ${loadavg()[0]!.toFixed(1)}`);
      } finally {
        await simulated.stop();
      }
    }

    console.log(table(runs));
    console.log('');
    console.log(`REAL: ${opts.real} \`pathprobe agent --listen 127.0.0.1:0 --token-file F\` processes; facts only (on loopback they share 127.0.0.1, which a plan cannot pair).`);
    console.log(`  idle, before the run: ${megabytes(idle.rssBytes)} MB RSS in all (${megabytes(idle.rssBytes / opts.real)} MB each; the first: ${megabytes(idle.oneRssBytes)} MB), `
      + `${idle.cpuPercent.toFixed(2)} % of one core over ${IDLE_WINDOW_MS / 1000} s, ${idle.children} child processes`);
    console.log(`  idle, after answering facts: ${megabytes(after.rssBytes)} MB RSS in all, ${after.cpuPercent.toFixed(2)} % of one core`);
    console.log('SIMULATED: one process, one HTTP server per agent on 127.0.0.1, canned answers valid against proto/agentApi.ts');
    console.log(`  (a 9000-byte path, ${opts.flows} flow(s), 4 probes per flow: real sweeps carry more probes, so the store grows faster with real agents).`);
    console.log(`Steps over ${opts.maxPairs} pairs plan every pair but measure only those crossing rack tor1 (run --only-through switch=tor1).`);
    console.log(`Pairs: fabric sample, racks of ${opts.perRack}: ${opts.simulated.map((n) => `${n} agents ${fabricPairsOf(n, opts.perRack)} pairs (full mesh ${n * (n - 1) / 2})`).join(', ')}.`);
    console.log('facts s = "[facts]" line to "[pmtu]" line; pmtu s = to the last pair\'s line; report s = to exit; MB = controller VmHWM at that point;');
    console.log(`store = SQLite file (+ -wal) after the run. Load average at the end ${loadavg()[0]!.toFixed(1)} (2 cores shared by controller, agents and bench).`);
    const bad = runs.filter((r) => r.exitCode !== 0 || (r.pairs > 0 && (r.ofAllPairs ?? r.plannedPairs) !== r.pairs));
    for (const r of bad) {
      session.say(`WRONG ${r.label}: pathprobe run exited ${r.exitCode}, planned ${r.plannedPairs ?? 'no'} pairs (expected ${r.pairs}); `
        + `${r.otherLines} other progress lines${r.firstOthers.length ? `, first: ${r.firstOthers.join(' | ')}` : ''}`);
    }
    if (idle.children > 0) session.say(`WRONG: real agents have ${idle.children} child processes (one process each expected)`);
    // The target: an idle agent, all its processes together, under 80 MB.
    const perAgentRssBytes = idle.rssBytes / opts.real;
    const heavy = perAgentRssBytes >= IDLE_AGENT_MAX_RSS_BYTES;
    if (heavy) session.say(`WRONG: an idle agent holds ${megabytes(perAgentRssBytes)} MB RSS, the target is under ${megabytes(IDLE_AGENT_MAX_RSS_BYTES)} MB`);
    return bad.length === 0 && idle.children === 0 && !heavy ? 0 : 1;
  },
});
