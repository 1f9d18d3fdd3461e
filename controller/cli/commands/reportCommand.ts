import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { RunStore } from '../../store/RunStore.js';
import { assembleRunReport } from '../../run/assembleRunReport.js';
import { DB_OPTION, printRunReport } from './runCommand.js';

interface ReportArgs { runId: string; html?: string; json: boolean; db: string }

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run-id>',
  describe: 'render a stored run again (terminal, --json or --html)',
  builder: (yargs: Argv) => yargs
    .positional('run-id', { type: 'string', demandOption: true })
    .option('html', { type: 'string', describe: 'write a self-contained HTML report to this file' })
    .option('json', { type: 'boolean', default: false, describe: 'print the run as one versioned JSON object' })
    .option('db', DB_OPTION) as unknown as Argv<ReportArgs>,
  handler: async (argv) => {
    const store = RunStore.open(argv.db);
    try {
      const run = store.getRun(argv.runId);
      if (!run) throw new PathprobeError('ERR_USAGE', `no run ${argv.runId} in ${argv.db} (see pathprobe runs --db ${argv.db})`);
      const status = run.status === 'done' ? 'done' : run.status === 'running' ? 'interrupted' : run.status;
      const report = assembleRunReport({ runId: run.runId, plan: run.plan, store, status });
      await printRunReport(report, argv);
      process.exitCode = report.exitCode;
    } finally {
      store.close();
    }
  },
};
