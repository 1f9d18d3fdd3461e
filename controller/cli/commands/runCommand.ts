import { writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { loadPlan } from '../../plan/loadPlan.js';
import { RunStore } from '../../store/RunStore.js';
import { executeRun } from '../../run/executeRun.js';
import { createRunProgress } from '../../run/runProgress.js';
import { runSummary } from '../../report/runSummary.js';
import { renderRunHtml } from '../../report/html/renderRunHtml.js';
import type { Plan, RunComparison, RunReport } from '../../run/runModel.js';
import { agentsWithLabel, parseLabelSelector, reportInScope } from '../../run/onlyThrough.js';
import { storedRunReport } from '../../diff/compareWithBaseline.js';
import { diffRuns } from '../../diff/diffRuns.js';
import { renderDiffTable } from '../../diff/diffTable.js';
import { planKeyOf } from '../../diff/planKey.js';
import { readToken } from '../readToken.js';
import { EXIT_INTERRUPTED } from '../../model/exitCodes.js';

interface RunArgs { plan?: string; resume?: string; html?: string; json: boolean; db: string; compare?: string; onlyThrough?: string }

const NO_BASELINE_NOTE = 'no baseline for this plan; set one with pathprobe baseline set RUN_ID';

/**
 * `--compare baseline|RUN_ID`: the diff of the plan's baseline (or of the named run) to `report`,
 * over the pairs `report` had in scope: with `--only-through`, the base run's pairs outside it are
 * left out, so they never show as removed. Null (with why) when there is nothing to compare with.
 */
export function compareRun(store: RunStore, report: RunReport, against: string): { comparison: RunComparison } | { none: string } {
  const byBaseline = against === 'baseline';
  const baseRunId = byBaseline ? store.getBaseline(planKeyOf(report.plan))?.runId : against;
  if (!baseRunId) return { none: NO_BASELINE_NOTE };
  if (baseRunId === report.runId) return { none: `run ${report.runId} is itself the baseline of this plan; nothing to compare with` };
  const base = storedRunReport(store, baseRunId);
  if (!base) return { none: `the baseline run ${baseRunId} is no longer in ${store.path}; set another with pathprobe baseline set RUN_ID` };
  const diff = diffRuns(reportInScope(base, report.plan), report);
  return { comparison: { ...diff, baselineRunId: baseRunId, against: byBaseline ? 'baseline' : 'run' } };
}

export const DB_OPTION = { type: 'string', default: 'pathprobe.sqlite', describe: 'SQLite file holding every run' } as const;

/** Prints a finished (or interrupted) run as asked and writes its HTML report. */
export async function printRunReport(report: RunReport, argv: { json: boolean; html?: string }): Promise<void> {
  const diffTable = report.comparison ? `\nchanges since ${report.comparison.against === 'baseline' ? 'baseline' : 'run'} ${report.comparison.baselineRunId}:\n${renderDiffTable(report.comparison)}` : '';
  process.stdout.write(argv.json ? JSON.stringify(report, null, 2) + '\n' : runSummary(report) + diffTable);
  if (argv.html !== undefined) {
    await writeFile(argv.html, renderRunHtml(report)).catch((error: NodeJS.ErrnoException) => {
      throw new PathprobeError('ERR_USAGE', `cannot write --html ${argv.html}: ${error.code ?? error.message}`, { cause: error });
    });
  }
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [plan]',
  describe: 'commission a rack: test every NIC pair of a plan file, store every result, report',
  builder: (yargs: Argv) => yargs
    .positional('plan', { type: 'string', describe: 'YAML plan file (not needed with --resume)' })
    .option('resume', { type: 'string', describe: 'continue an interrupted run: only what is missing is measured' })
    .option('html', { type: 'string', describe: 'write a self-contained HTML report to this file' })
    .option('json', { type: 'boolean', default: false, describe: 'print the run as one versioned JSON object' })
    .option('compare', {
      type: 'string',
      describe: 'after the run, diff it against the plan\'s baseline ("baseline") or a stored RUN_ID; exit 1 when something regressed',
    })
    .option('only-through', {
      type: 'string',
      describe: 'test only the pairs crossing one label value, e.g. switch=tor-b12 (one end has it, the other not); kept on --resume',
    })
    .option('db', DB_OPTION) as unknown as Argv<RunArgs>,
  handler: async (argv) => {
    if (!argv.plan && !argv.resume) throw new PathprobeError('ERR_USAGE', 'give a plan file, or --resume RUN_ID');
    if (argv.onlyThrough !== undefined && argv.resume) {
      throw new PathprobeError('ERR_USAGE', '--only-through is for a new run; a resumed run keeps the filter it started with');
    }
    if (argv.compare !== undefined && !/^(baseline|r\d{8}-\d{6}-[0-9a-f]{4})$/.test(argv.compare)) {
      throw new PathprobeError('ERR_USAGE', `--compare ${JSON.stringify(argv.compare)}: give baseline or a RUN_ID (see pathprobe runs)`);
    }
    // The plan (and the --only-through label) is validated before anything is created or contacted.
    const loaded = argv.resume ? null : await loadPlan(argv.plan!);
    let newPlan: Plan | null = loaded;
    if (loaded && argv.onlyThrough !== undefined) {
      const onlyThrough = parseLabelSelector(argv.onlyThrough);
      agentsWithLabel(loaded.agents, onlyThrough);
      newPlan = { ...loaded, onlyThrough };
    }
    const store = RunStore.open(argv.db);
    try {
      if (argv.compare !== undefined && argv.compare !== 'baseline' && !store.getRun(argv.compare)) {
        throw new PathprobeError('ERR_USAGE', `--compare ${argv.compare}: no run ${argv.compare} in ${argv.db} (see pathprobe runs --db ${argv.db})`);
      }
      let plan: Plan;
      let runId: string;
      if (!newPlan) {
        const run = store.getRun(argv.resume!);
        if (!run) throw new PathprobeError('ERR_USAGE', `no run ${argv.resume} in ${argv.db} (see pathprobe runs --db ${argv.db})`);
        if (run.status === 'done') throw new PathprobeError('ERR_USAGE', `run ${argv.resume} already finished; nothing to resume`);
        plan = run.plan;
        runId = run.runId;
        store.resumeRun(runId);
      } else {
        plan = newPlan;
        runId = store.createRun({ plan, planPath: argv.plan!, startedAtMs: Date.now() });
      }
      const token = await readToken(plan.tokenFile);
      const progress = createRunProgress(process.stderr, { tty: process.stderr.isTTY === true, agents: plan.agents.map((agent) => agent.name) });
      progress.line(`${argv.resume ? 'resuming' : 'run'} ${runId} (stored in ${argv.db})`);

      const resumeHint = `resume with: pathprobe run --resume ${runId} --db ${argv.db}`;
      // First Ctrl-C: no new measurement starts, the ones in flight finish and are stored.
      // Second: stop at once; everything measured is already stored.
      const abort = new AbortController();
      let stopNow: (error: Error) => void = () => {};
      const stoppedNow = new Promise<never>((_, reject) => { stopNow = reject; });
      const onSignal = () => {
        if (abort.signal.aborted) {
          store.markInterrupted(runId);
          stopNow(new PathprobeError('ERR_INTERRUPTED', `stopped at once; every finished measurement is stored; ${resumeHint}`));
          return;
        }
        progress.line(`stopping after the measurements in flight; ${resumeHint}`);
        abort.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let report: RunReport;
      try {
        report = await executeRun({ plan, store, runId, token, progress, signal: abort.signal, stopNow: stoppedNow });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (argv.compare !== undefined && report.status === 'done') {
        const compared = compareRun(store, report, argv.compare);
        if ('none' in compared) {
          process.stderr.write(`note: ${compared.none}\n`);
          report = { ...report, comparison: null };
        } else {
          const { comparison } = compared;
          // A regression fails the run (for cron and CI) even when every expectation passed.
          report = { ...report, comparison, exitCode: comparison.regressed && report.exitCode === 0 ? 1 : report.exitCode };
        }
        // The stored report (store.loadReport) carries the comparison too.
        store.saveReport(runId, report);
      }
      await printRunReport(report, argv);
      process.exitCode = report.status === 'interrupted' ? EXIT_INTERRUPTED : report.exitCode;
    } finally {
      store.close();
    }
  },
};
