import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCommand } from '../lab/run.js';
import { BENCH_PATHS } from './benchPaths.js';
import type { BenchPath } from './benchPaths.js';
import { formatNotes, formatTable, isCorrect } from './benchTable.js';
import type { BenchRow } from './benchTable.js';
import { familiesFlag, pathsFlag } from './benchFlags.js';
import { runBench } from './runBench.js';
import type { BenchSession } from './runBench.js';
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

function benchOptions({ quick, values }: { quick: boolean; values: Record<string, string | undefined> }): BenchOptions {
  const families = familiesFlag(values.family, ['v4']);
  const paths = pathsFlag(values.only, BENCH_PATHS);
  return { toolTimeoutMs: quick ? QUICK_TOOL_TIMEOUT_MS : FULL_TOOL_TIMEOUT_MS, families, paths };
}

function progressLine(path: string, family: Family, run: ToolRun, truthBytes: number): string {
  const verdict = isCorrect(run, truthBytes) ? 'ok' : 'WRONG';
  const value = run.failure ?? `${run.mtuBytes ?? 'none'}`;
  return `${path} ${family} ${run.tool}: ${value} ${verdict} in ${(run.wallMs / 1000).toFixed(2)} s, wire ${run.wire.packets}`;
}

function benchOnePath(session: BenchSession, path: BenchPath, opts: BenchOptions, scratchDir: string): Promise<BenchRow[]> {
  return session.withLab(path.topology(), [SENDER, RECEIVER], async ({ lab, agents }) => {
    const counter = await WireCounter.install(lab, SENDER, lab.hosts[RECEIVER]!);
    const results: BenchRow[] = [];
    for (const family of opts.families) {
      const ctx: RunContext = { lab, counter, family, scratchDir, checkpoint: session.checkpoint };
      const pathprobe = await runPathprobe(ctx, agents, PATHPROBE_TIMEOUT_MS);
      session.progress(progressLine(path.name, family, pathprobe, path.truthBytes));
      const tracepath = await runTracepath(ctx, opts.toolTimeoutMs);
      session.progress(progressLine(path.name, family, tracepath, path.truthBytes));
      const scamper = await runScamper(ctx, opts.toolTimeoutMs);
      session.progress(progressLine(path.name, family, scamper, path.truthBytes));
      results.push({ path: path.name, family, truthBytes: path.truthBytes, pathprobe, tracepath, scamper });
    }
    return results;
  });
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

runBench<BenchOptions>({
  name: 'pmtuBench',
  usage: 'usage: pmtuBench.js [--quick] [--family v4|v6|both] [--only path,...]',
  valueFlags: ['family', 'only'],
  options: benchOptions,
  run: async (opts, session) => {
    const scratchDir = await mkdtemp(join(tmpdir(), 'pathprobe-bench-'));
    session.defer(() => rm(scratchDir, { recursive: true, force: true }));
    session.say(`${opts.paths.length} paths, ${opts.families.join('+')}, external tool timeout ${opts.toolTimeoutMs / 1000} s`);
    const rows: BenchRow[] = [];
    for (const path of opts.paths) rows.push(...(await benchOnePath(session, path, opts, scratchDir)));
    printReport(rows, opts.families);
    const wrong = rows.filter((r) => !isCorrect(r.pathprobe, r.truthBytes));
    if (wrong.length > 0) session.say(`pathprobe WRONG on ${wrong.map((r) => `${r.path} ${r.family}`).join(', ')}`);
    return wrong.length === 0 ? 0 : 1;
  },
});
