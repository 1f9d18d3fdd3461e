import { writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { loadPlan } from '../../plan/loadPlan.js';
import { RunStore } from '../../store/RunStore.js';
import { executeRun } from '../../run/executeRun.js';
import { createRunProgress } from '../../run/runProgress.js';
import { runSummary } from '../../report/runSummary.js';
import { renderRunHtml } from '../../report/html/renderRunHtml.js';
import type { Plan, RunReport } from '../../run/runModel.js';
import { readToken } from '../readToken.js';
import { EXIT_INTERRUPTED } from '../exitCodeOf.js';

interface RunArgs { plan?: string; resume?: string; html?: string; json: boolean; db: string }

export const DB_OPTION = { type: 'string', default: 'pathprobe.sqlite', describe: 'SQLite file holding every run' } as const;

/** Prints a finished (or interrupted) run as asked and writes its HTML report. */
export async function printRunReport(report: RunReport, argv: { json: boolean; html?: string }): Promise<void> {
  process.stdout.write(argv.json ? JSON.stringify(report, null, 2) + '\n' : runSummary(report));
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
    .option('db', DB_OPTION) as unknown as Argv<RunArgs>,
  handler: async (argv) => {
    if (!argv.plan && !argv.resume) throw new PathprobeError('ERR_USAGE', 'give a plan file, or --resume RUN_ID');
    // The plan is validated before anything is created or contacted.
    const newPlan = argv.resume ? null : await loadPlan(argv.plan!);
    const store = RunStore.open(argv.db);
    try {
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
      await printRunReport(report, argv);
      process.exitCode = report.status === 'interrupted' ? EXIT_INTERRUPTED : report.exitCode;
    } finally {
      store.close();
    }
  },
};
