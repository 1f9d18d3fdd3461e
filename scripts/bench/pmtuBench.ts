import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import { startLabAgents } from '../lab/labAgents.js';
import { removeLabOwnerTag } from '../lab/labOwnerTag.js';
import { labUp } from '../lab/labUp.js';
import { listNetns, removeNamespaces } from '../lab/removeNamespaces.js';
import { describeCommand } from '../lab/run.js';
import { BENCH_PATHS } from './benchPaths.js';
import type { BenchPath } from './benchPaths.js';
import { formatNotes, formatTable, isCorrect } from './benchTable.js';
import type { BenchRow } from './benchTable.js';
import { RECEIVER, SENDER, runPathprobe, runScamper, runTracepath } from './toolRuns.js';
import type { Family, RunContext, ToolRun } from './toolRuns.js';
import { WireCounter } from './wireCounter.js';

/*
 * npm run bench [-- --quick] [-- --family v4|v6|both] [-- --only clean,silentCap]
 *
 * h1 → h2 on every lab path: pathprobe's forward sweep against tracepath and scamper's PMTUD, each
 * run from a flushed PMTU cache, with the packets h1 put on its NIC counted by nft. Exit 0 when
 * pathprobe found the true value on every path, 1 otherwise or on any error, 130 when interrupted.
 */

/** Long enough for the real numbers: scamper needed 136 s and tracepath 91 s on silent paths. */
const FULL_TOOL_TIMEOUT_MS = 180_000;
const QUICK_TOOL_TIMEOUT_MS = 15_000;
/** pathprobe is what is being judged, so --quick never cuts it short. */
const PATHPROBE_TIMEOUT_MS = 120_000;

interface BenchOptions {
  toolTimeoutMs: number;
  families: Family[];
  paths: BenchPath[];
}

class UsageError extends Error {}
class Interrupted extends Error {}

function parseOptions(argv: readonly string[]): BenchOptions {
  let toolTimeoutMs = FULL_TOOL_TIMEOUT_MS;
  let families: Family[] = ['v4'];
  let paths = [...BENCH_PATHS];
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--quick') toolTimeoutMs = QUICK_TOOL_TIMEOUT_MS;
    else if (flag === '--family') {
      const f = value();
      if (f === 'v4' || f === 'v6') families = [f];
      else if (f === 'both') families = ['v4', 'v6'];
      else throw new UsageError(`--family must be v4, v6 or both, not "${f}"`);
    } else if (flag === '--only') {
      const names = value().split(',');
      const unknown = names.filter((n) => !BENCH_PATHS.some((p) => p.name === n));
      if (unknown.length > 0) throw new UsageError(`--only: unknown path ${unknown.join(', ')} (known: ${BENCH_PATHS.map((p) => p.name).join(', ')})`);
      paths = BENCH_PATHS.filter((p) => names.includes(p.name));
    } else throw new UsageError(`unknown argument "${argv[i]}" (usage: pmtuBench.js [--quick] [--family v4|v6|both] [--only path,...])`);
  }
  return { toolTimeoutMs, families, paths };
}

/** The lab being measured, so a signal can stop the tool running in it. */
let currentLab: Lab | undefined;
/** Every namespace this run created; other labs (tests, other runs) may come and go meanwhile. */
const ownNamespaces: string[] = [];
/** Set by SIGINT/SIGTERM: nothing new starts after it. */
let interruptedBy: NodeJS.Signals | null = null;

function checkpoint(): void {
  if (interruptedBy !== null) throw new Interrupted(`interrupted by ${interruptedBy}; lab torn down`);
}

/**
 * lab.down() and, should it fail (an `ip netns exec` still starting can keep a namespace busy), a
 * second removal by name, so an interrupted run leaves no namespace and no process behind.
 */
async function tearDown(lab: Lab): Promise<void> {
  try {
    await lab.down();
  } catch {
    const left = await removeNamespaces(lab.namespaces);
    if (left.length > 0) throw new Error(`lab ${lab.id}: namespaces still present after teardown: ${left.join(', ')}`);
    removeLabOwnerTag(lab.id);
  }
}

function progressLine(path: string, family: Family, run: ToolRun, truthBytes: number): string {
  const verdict = isCorrect(run, truthBytes) ? 'ok' : 'WRONG';
  const value = run.failure ?? `${run.mtuBytes ?? 'none'}`;
  return `  ${path} ${family} ${run.tool}: ${value} ${verdict} in ${(run.wallMs / 1000).toFixed(2)} s, wire ${run.wire.packets}`;
}

async function benchOnePath(path: BenchPath, opts: BenchOptions, scratchDir: string): Promise<BenchRow[]> {
  checkpoint();
  const lab = await labUp(path.topology());
  currentLab = lab;
  ownNamespaces.push(...lab.namespaces);
  try {
    checkpoint();
    const agents = await startLabAgents(lab, [SENDER, RECEIVER]);
    try {
      const counter = await WireCounter.install(lab, SENDER, lab.hosts[RECEIVER]!);
      const results: BenchRow[] = [];
      for (const family of opts.families) {
        const ctx: RunContext = { lab, counter, family, scratchDir, checkpoint };
        const pathprobe = await runPathprobe(ctx, agents, PATHPROBE_TIMEOUT_MS);
        console.error(progressLine(path.name, family, pathprobe, path.truthBytes));
        const tracepath = await runTracepath(ctx, opts.toolTimeoutMs);
        console.error(progressLine(path.name, family, tracepath, path.truthBytes));
        const scamper = await runScamper(ctx, opts.toolTimeoutMs);
        console.error(progressLine(path.name, family, scamper, path.truthBytes));
        results.push({ path: path.name, family, truthBytes: path.truthBytes, pathprobe, tracepath, scamper });
      }
      return results;
    } finally {
      await agents.stop();
    }
  } finally {
    await tearDown(lab);
    currentLab = undefined;
  }
}

function printReport(rows: readonly BenchRow[], families: readonly Family[]): void {
  console.log(formatTable(rows));
  console.log('');
  console.log("value: the tool's path MTU for h1→h2 (whole IP packet), ok/WRONG against the truth; t/o = cut off at the timeout.");
  console.log('wire: packets h1 put on its NIC toward h2 during the run (nft egress counter); for pathprobe it includes');
  console.log('the acks h1 sends for the concurrent reverse sweep, for scamper its 44-byte traceroute probes.');
  console.log("sweep: pathprobe's forward elapsedMs; wall: the whole command; time ratio: tool wall / pathprobe wall.");
  console.log('');
  for (const note of formatNotes(rows)) console.log(note);
  if (rows.length === 0) return;
  console.log('');
  console.log("commands of the first path per family (tools in h1's namespace, pathprobe in the controller's):");
  for (const family of families) {
    const row = rows.find((r) => r.family === family);
    if (row) for (const run of [row.pathprobe, row.tracepath, row.scamper]) console.log(`  ${describeCommand(run.argv)}`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const opts = parseOptions(argv);
  // The main flow stops at its next checkpoint and tears the lab down in its finally; the teardown
  // here only stops a tool running right now (tracepath can take 90 s). Both share one lab.down().
  const onSignal = (signal: NodeJS.Signals): void => {
    interruptedBy = signal;
    console.error(`pmtuBench: ${signal}, tearing the lab down`);
    if (currentLab) void tearDown(currentLab).catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const scratchDir = await mkdtemp(join(tmpdir(), 'pathprobe-bench-'));
  const rows: BenchRow[] = [];
  let leftover: string[] = [];
  try {
    console.error(`pmtuBench: ${opts.paths.length} paths, ${opts.families.join('+')}, external tool timeout ${opts.toolTimeoutMs / 1000} s`);
    for (const path of opts.paths) rows.push(...(await benchOnePath(path, opts, scratchDir)));
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
    const present = new Set(await listNetns());
    leftover = ownNamespaces.filter((n) => present.has(n));
    // Said here too, because an error already on its way out would hide it.
    if (leftover.length > 0) console.error(`pmtuBench: namespaces left behind: ${leftover.join(', ')}`);
  }
  if (leftover.length > 0) throw new Error('namespaces left behind (see above)');

  printReport(rows, opts.families);
  const wrong = rows.filter((r) => !isCorrect(r.pathprobe, r.truthBytes));
  if (wrong.length > 0) console.error(`pmtuBench: pathprobe WRONG on ${wrong.map((r) => `${r.path} ${r.family}`).join(', ')}`);
  return wrong.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`pmtuBench: ${message.split('\n')[0]}`);
    process.exitCode = err instanceof Interrupted ? 130 : 1;
  },
);
