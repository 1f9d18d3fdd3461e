import { fileURLToPath } from 'node:url';
import { runBench } from '../bench/runBench.js';
import { cleanPath } from '../lab/topologies.js';
import { judgeGrowth } from './growth.js';
import { SOAK_USAGE, soakOptions } from './soakFlags.js';
import type { SoakOptions } from './soakFlags.js';
import type { SoakDriverConfig, SoakDriverResult } from './soakSchedule.js';
import { growthLines, soakSamplesTable, soakVerdictLine } from './soakTable.js';

/*
 * npm run soak [-- --quick] [-- --sweeps N --cells N --flows N] [-- --json]
 *
 * Thousands of path-MTU sweeps (both directions each, v4 and v6 in turn) and 1 s throughput cells
 * (1 stream, 1500 and jumbo in turn, both directions) against ONE pair of real agents on a clean
 * 9000 path, with RSS, open fds, sockets and children of both agents and of the controller sampled
 * between operations. Exit 0 when every answer was right and nothing grew beyond noise
 * (growth.ts), 1 on a failed operation or growth, 2 on a usage error, 130 when interrupted.
 *
 * The controller is soakDriver.js, started in the lab's controller namespace: this process (in
 * the root namespace, which never reaches the management net) only builds the lab, starts the
 * agents and judges what the driver measured.
 */

const DRIVER = fileURLToPath(new URL('./soakDriver.js', import.meta.url));
/** About this many samples per run, whatever its length: enough for windows, few enough to read. */
const TARGET_SAMPLES = 40;
const SHOWN_FAILURES = 20;

runBench<SoakOptions>({
  name: 'soak',
  usage: SOAK_USAGE,
  valueFlags: ['sweeps', 'cells', 'flows'],
  booleanFlags: ['json'],
  usageExitCode: 2,
  options: soakOptions,
  run: async (opts, session) => {
    session.say(`${opts.sweeps} sweeps (${opts.flows} flow(s) per direction) + ${opts.cells} cells of 1 s, one pair of agents on cleanPath 9000`);
    const result = await session.withLab(cleanPath({ mtuBytes: 9000 }), ['h1', 'h2'], async ({ lab, agents, timing }) => {
      session.progress(`lab up in ${(timing.buildMs / 1000).toFixed(1)} s, agents in ${(timing.agentsMs / 1000).toFixed(1)} s`);
      const pid = (host: 'h1' | 'h2'): number => {
        const found = agents.pidOf(host);
        if (found === undefined) throw new Error(`no PID for the agent on ${host}`);
        return found;
      };
      const host = (name: 'h1' | 'h2') => ({ v4: lab.hosts[name]!.v4, v6: lab.hosts[name]!.v6 });
      const config: SoakDriverConfig = {
        urls: { h1: agents.urls.h1!, h2: agents.urls.h2! },
        tokenFile: agents.tokenFile,
        addresses: { h1: host('h1'), h2: host('h2') },
        agentPids: { h1: pid('h1'), h2: pid('h2') },
        sweeps: opts.sweeps,
        cells: opts.cells,
        flows: opts.flows,
        targetSamples: TARGET_SAMPLES,
      };
      session.checkpoint();
      const driver = lab.spawn('ctl', [process.execPath, DRIVER, JSON.stringify(config)]);
      let pending = '';
      driver.stderr?.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.trim() !== '') session.progress(line);
      });
      const ended = await driver.result;
      session.checkpoint();
      const last = ended.stdout.trim().split('\n').pop() ?? '';
      if (ended.exitCode !== 0 || !last.startsWith('{')) {
        throw new Error(`soak driver exit ${ended.exitCode ?? ended.signal}: ${(pending || ended.stderr).trim().split('\n').pop() ?? ''}`);
      }
      return JSON.parse(last) as SoakDriverResult;
    });

    const judgement = judgeGrowth(result.samples);
    const verdict = soakVerdictLine({ sweeps: result.sweepsDone, cells: result.cellsDone, failures: result.failures.length, durationMs: result.durationMs, judgement });
    const ok = result.failures.length === 0 && judgement.ok;
    if (opts.json) {
      console.log(JSON.stringify({ ok, verdict, options: opts, ...result, judgement }));
    } else {
      console.log(soakSamplesTable(result.samples));
      console.log('');
      console.log(`medians of the first and last ${judgement.windowSamples} samples after ${judgement.warmupSamples} warm-up sample(s):`);
      for (const line of growthLines(judgement)) console.log(`  ${line}`);
      if (result.failures.length > 0) {
        console.log('');
        console.log(`failed operations (${result.failures.length}):`);
        for (const f of result.failures.slice(0, SHOWN_FAILURES)) console.log(`  ${f}`);
        if (result.failures.length > SHOWN_FAILURES) console.log(`  ... and ${result.failures.length - SHOWN_FAILURES} more`);
      }
      console.log('');
      console.log(verdict);
    }
    // With --json stdout is the document: the verdict goes to stderr too, for whoever watches.
    if (opts.json) session.say(verdict.replace(/^soak /, ''));
    return ok ? 0 : 1;
  },
});
