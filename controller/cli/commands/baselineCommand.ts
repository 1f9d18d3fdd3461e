import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { loadPlan } from '../../plan/loadPlan.js';
import { RunStore } from '../../store/RunStore.js';
import { planKeyOf, planLabelOf } from '../../diff/planKey.js';
import { DB_OPTION } from '../dbOption.js';

interface BaselineSetArgs { runId: string; plan?: string; db: string }

const baselineSetCommand: CommandModule<object, BaselineSetArgs> = {
  command: 'set <run-id>',
  describe: 'make a finished run the baseline of its plan (or of --plan FILE)',
  builder: (yargs: Argv) => yargs
    .positional('run-id', { type: 'string', demandOption: true })
    .option('plan', {
      type: 'string',
      describe: 'the plan file the baseline is for (default: the run\'s own plan); plans are matched by their agents and addresses',
    })
    .option('db', DB_OPTION) as unknown as Argv<BaselineSetArgs>,
  handler: async (argv) => {
    // The plan file is checked before the database is opened (or created).
    const filePlan = argv.plan !== undefined ? await loadPlan(argv.plan) : null;
    const store = await RunStore.open(argv.db);
    try {
      const run = await store.requireRun(argv.runId);
      if (run.status !== 'done') {
        throw new PathprobeError('ERR_USAGE', `run ${run.runId} is ${run.status}, not finished: finish it first (pathprobe run --resume ${run.runId} --db ${store.location})`);
      }
      const plan = filePlan ?? run.plan;
      const planKey = planKeyOf(plan);
      const planLabel = argv.plan ?? run.planPath ?? planLabelOf(run.plan);
      if (filePlan && planKeyOf(run.plan) !== planKey) {
        process.stderr.write(`note: run ${run.runId} tested other agents or addresses than ${argv.plan}; a diff will show the difference as added and removed pairs\n`);
      }
      const previous = await store.setBaseline(run.runId, planKey, { planLabel });
      const replaced = previous && previous.runId !== run.runId ? `, replacing ${previous.runId}` : previous ? ' (unchanged)' : '';
      process.stdout.write(`baseline of ${planLabel} (${planKey}): ${run.runId}, started ${new Date(run.startedAtMs).toISOString()}${replaced}\n`);
    } finally {
      await store.close();
    }
  },
};

export const baselineCommand: CommandModule = {
  command: 'baseline <command>',
  describe: 'the run later runs of a plan are compared with (pathprobe baseline set RUN_ID)',
  builder: (yargs: Argv) => yargs
    .command(baselineSetCommand as unknown as CommandModule)
    .demandCommand(1, 'name a baseline command: set'),
  handler: () => { /* a subcommand runs */ },
};
