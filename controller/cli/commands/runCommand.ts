import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { EXIT_INTERRUPTED } from '../../model/exitCodes.js';
import type { Plan } from '../../model/plan.js';
import { loadPlan } from '../../plan/loadPlan.js';
import { agentsWithLabel, parseLabelSelector } from '../../plan/onlyThrough.js';
import { createRunInterrupt, onInterruptSignals } from '../../run/runInterrupt.js';
import { createRunProgress } from '../../run/runProgress.js';
import { compareRun, executeRun, resumeHint, resumeRun, startRun, withComparison } from '../../run/runService.js';
import { RunStore } from '../../store/RunStore.js';
import { RUN_ID_PATTERN } from '../../store/runId.js';
import { DB_OPTION } from '../dbOption.js';
import { printRunReport } from '../printRunReport.js';
import { readToken } from '../readToken.js';

interface RunArgs { plan?: string; resume?: string; html?: string; json: boolean; db: string; compare?: string; onlyThrough?: string }

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
    if (argv.compare !== undefined && argv.compare !== 'baseline' && !RUN_ID_PATTERN.test(argv.compare)) {
      throw new PathprobeError('ERR_USAGE', `--compare ${JSON.stringify(argv.compare)}: give baseline or a RUN_ID (see pathprobe runs)`);
    }
    // The plan (and the --only-through label) is validated before anything is created or contacted.
    let newPlan: Plan | null = argv.resume ? null : await loadPlan(argv.plan!);
    if (newPlan && argv.onlyThrough !== undefined) {
      const onlyThrough = parseLabelSelector(argv.onlyThrough);
      agentsWithLabel(newPlan.agents, onlyThrough);
      newPlan = { ...newPlan, onlyThrough };
    }
    const store = await RunStore.open(argv.db);
    try {
      if (argv.compare !== undefined && argv.compare !== 'baseline') await store.requireRun(argv.compare);
      const { runId, plan } = newPlan ? await startRun(store, newPlan, argv.plan!) : await resumeRun(store, argv.resume!);
      const token = await readToken(plan.tokenFile);
      const progress = createRunProgress(process.stderr, { tty: process.stderr.isTTY === true, agents: plan.agents.map((agent) => agent.name) });
      progress.line(`${argv.resume ? 'resuming' : 'run'} ${runId} (stored in ${store.location})`);

      const interrupt = createRunInterrupt();
      const removeSignals = onInterruptSignals({
        first: () => {
          progress.line(`stopping after the measurements in flight; ${resumeHint(runId, store)}`);
          interrupt.stopAfterInFlight();
        },
        second: () => interrupt.stopAtOnce(`stopped at once; every finished measurement is stored; ${resumeHint(runId, store)}`),
      });
      let report;
      try {
        report = await executeRun({ plan, store, runId, token, progress, interrupt });
      } finally {
        removeSignals();
      }
      if (argv.compare !== undefined && report.status === 'done') {
        const compared = await compareRun(store, report, argv.compare);
        if ('none' in compared) process.stderr.write(`note: ${compared.none}\n`);
        report = await withComparison(store, report, compared);
      }
      await printRunReport(report, argv);
      process.exitCode = report.status === 'interrupted' ? EXIT_INTERRUPTED : report.exitCode;
    } finally {
      await store.close();
    }
  },
};
