import type { Argv, CommandModule } from 'yargs';
import { RunStore } from '../../store/RunStore.js';
import { runsTable } from '../../report/runsTable.js';
import { DB_OPTION } from '../dbOption.js';

interface RunsArgs { db: string; json: boolean }

export const runsCommand: CommandModule<object, RunsArgs> = {
  command: 'runs',
  describe: 'list past runs, newest first',
  builder: (yargs: Argv) => yargs
    .option('db', DB_OPTION)
    .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<RunsArgs>,
  handler: async (argv) => {
    const store = await RunStore.open(argv.db);
    try {
      const runs = await store.listRuns();
      if (argv.json) {
        process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
        return;
      }
      if (runs.length === 0) {
        process.stdout.write(`no runs in ${store.location}\n`);
        return;
      }
      process.stdout.write(runsTable(runs));
    } finally {
      await store.close();
    }
  },
};
