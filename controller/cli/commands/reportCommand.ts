import type { Argv, CommandModule } from 'yargs';
import { RunStore } from '../../store/RunStore.js';
import { DB_OPTION } from '../dbOption.js';
import { printRunReport } from '../printRunReport.js';
import { storedRunReport } from '../../run/runService.js';

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
    const store = await RunStore.open(argv.db);
    try {
      const report = await storedRunReport(store, argv.runId);
      await printRunReport(report, argv);
      process.exitCode = report.exitCode;
    } finally {
      await store.close();
    }
  },
};
