import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCommand } from '../lab/run.js';
import { MULTIPATH_BENCH_PATHS } from './benchPaths.js';
import type { MultipathBenchPath } from './benchPaths.js';
import { multipathChecks } from './multipathChecks.js';
import { flowClassesText, formatMultipathSummary, formatMultipathTable, isPairCorrect, judgeSingleFlow } from './multipathTable.js';
import type { MultipathRow } from './multipathTable.js';
import { familiesFlag, pathsFlag } from './benchFlags.js';
import { UsageError, runBench } from './runBench.js';
import type { BenchSession } from './runBench.js';
import { RECEIVER, SENDER, runPathprobePair, runScamper, runTracepath } from './toolRuns.js';
import type { Family, RunContext } from './toolRuns.js';
import { WireCounter } from './wireCounter.js';

/*
 * npm run bench -- --only multipath [--quick]
 * node dist/scripts/bench/multipathBench.js [--quick] [--family v4|v6|both] [--only leafSpine2,leafSpine4] [--repeats N]
 *
 * h1 ↔ h2 across leaf-spine fabrics whose last spine silently drops above 1500: pathprobe's pair
 * sweep (both directions, its default 23 flows each) against tracepath and scamper's PMTUD from
 * h1, each run from a flushed PMTU cache, repeated so that where a one-flow tool's flow hashed
 * shows. Exit 0 when every check passed (pathprobe's answer, and its sweep time), 1 otherwise or
 * on any error, 130 when interrupted.
 */

/** scamper needed 30 s on the faulty spine (it waits out its 9000-byte probe, then searches). */
const FULL_TOOL_TIMEOUT_MS = 180_000;
/** Not pmtuBench's 15 s: scamper's right answers here come at 30 s, and a shorter cut would hide every one. */
const QUICK_TOOL_TIMEOUT_MS = 40_000;
const PATHPROBE_TIMEOUT_MS = 120_000;
const DEFAULT_REPEATS = 3;

interface MultipathOptions {
  toolTimeoutMs: number;
  families: Family[];
  paths: MultipathBenchPath[];
  repeats: number;
}

function multipathOptions({ quick, values }: { quick: boolean; values: Record<string, string | undefined> }): MultipathOptions {
  // Both families by default: the hash covers IPv6's 5-tuple too, and a run is a few seconds.
  const families = familiesFlag(values.family, quick ? ['v4'] : ['v4', 'v6']);
  const paths = pathsFlag(values.only, MULTIPATH_BENCH_PATHS);
  let repeats = DEFAULT_REPEATS;
  if (values.repeats !== undefined) {
    repeats = Number(values.repeats);
    if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) throw new UsageError(`--repeats must be an integer 1..20, not "${values.repeats}"`);
  }
  return { toolTimeoutMs: quick ? QUICK_TOOL_TIMEOUT_MS : FULL_TOOL_TIMEOUT_MS, families, paths, repeats };
}

function progressLine(row: MultipathRow): string {
  const pp = row.pathprobe;
  const ppText = pp.failure ?? `${pp.forward?.pathMtuBytes ?? 'none'}/${pp.reverse?.pathMtuBytes ?? 'none'} ${isPairCorrect(pp, row.truthBytes) ? 'ok' : 'WRONG'}`
    + ` sweep ${pp.pairSweepMs ?? '-'} ms (wall ${Math.round(pp.wallMs)} ms), flows fwd ${flowClassesText(pp.forward?.flowClasses ?? [])}`
    + ` rev ${flowClassesText(pp.reverse?.flowClasses ?? [])}`;
  const tool = (run: MultipathRow['tracepath']): string => `${run.failure ?? run.mtuBytes ?? 'none'} ${judgeSingleFlow(run, row)} in ${(run.wallMs / 1000).toFixed(2)} s`;
  return `${row.path} ${row.family} #${row.run}: pathprobe ${ppText}; tracepath ${tool(row.tracepath)}; scamper ${tool(row.scamper)}`;
}

function benchOnePath(session: BenchSession, path: MultipathBenchPath, opts: MultipathOptions, scratchDir: string): Promise<MultipathRow[]> {
  return session.withLab(path.topology(), [SENDER, RECEIVER], async ({ lab, agents }) => {
    const counter = await WireCounter.install(lab, SENDER, lab.hosts[RECEIVER]!);
    const rows: MultipathRow[] = [];
    for (let run = 1; run <= opts.repeats; run += 1) {
      for (const family of opts.families) {
        const ctx: RunContext = { lab, counter, family, scratchDir, checkpoint: session.checkpoint };
        const pathprobe = await runPathprobePair(ctx, agents, PATHPROBE_TIMEOUT_MS);
        const tracepath = await runTracepath(ctx, opts.toolTimeoutMs);
        const scamper = await runScamper(ctx, opts.toolTimeoutMs);
        const row: MultipathRow = { path: path.name, family, run, truthBytes: path.truthBytes, goodSpineBytes: path.goodSpineBytes, pathprobe, tracepath, scamper };
        session.progress(progressLine(row));
        rows.push(row);
      }
    }
    return rows;
  });
}

function printReport(rows: readonly MultipathRow[], opts: MultipathOptions): number {
  console.log('Multipath: leaf-spine fabrics at 9000 whose last spine silently drops above 1500 (truth: 1500, the size safe on every flow)');
  console.log(formatMultipathTable(rows));
  console.log('');
  console.log('fwd/rev: the path MTU pathprobe gave for h1→h2 and h2→h1; sweep: the slower direction\'s elapsedMs (both sweep at');
  console.log('once), wall: the whole CLI run; classes: path MTU:flows of each flow class. tracepath and scamper probe one flow from');
  console.log('h1: ok = the safe 1500 (their flow hashed onto the faulty spine), blind = 9000 (it crossed a good spine), t/o = cut off.');
  console.log('');
  for (const line of formatMultipathSummary(rows, (name) => opts.paths.find((p) => p.name === name)?.faultyShare ?? 0)) console.log(line);
  console.log('');
  const checks = multipathChecks(rows);
  console.log(`checks (load average ${loadavg()[0]!.toFixed(1)} on ${opts.families.join('+')}, ${opts.repeats} runs per path and family):`);
  for (const check of checks) console.log(`  ${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`);
  const first = rows[0];
  if (first) {
    console.log('');
    console.log("commands of the first run (tools in h1's namespace, pathprobe in the controller's):");
    for (const argv of [first.pathprobe.argv, first.tracepath.argv, first.scamper.argv]) console.log(`  ${describeCommand(argv)}`);
  }
  return checks.every((c) => c.pass) ? 0 : 1;
}

runBench<MultipathOptions>({
  name: 'multipathBench',
  usage: 'usage: multipathBench.js [--quick] [--family v4|v6|both] [--only path,...] [--repeats N]',
  valueFlags: ['family', 'only', 'repeats'],
  options: multipathOptions,
  run: async (opts, session) => {
    const scratchDir = await mkdtemp(join(tmpdir(), 'pathprobe-bench-'));
    session.defer(() => rm(scratchDir, { recursive: true, force: true }));
    session.say(`${opts.paths.map((p) => p.name).join(', ')}, ${opts.families.join('+')}, ${opts.repeats} runs each, external tool timeout ${opts.toolTimeoutMs / 1000} s`);
    const rows: MultipathRow[] = [];
    for (const path of opts.paths) rows.push(...(await benchOnePath(session, path, opts, scratchDir)));
    return printReport(rows, opts);
  },
});
