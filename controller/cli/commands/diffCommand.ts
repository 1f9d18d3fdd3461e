import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { RunStore } from '../../store/RunStore.js';
import { diffRuns } from '../../diff/diffRuns.js';
import { DEFAULT_THROUGHPUT_THRESHOLD } from '../../throughput/diffThroughput.js';
import { renderDiffTable } from '../../diff/diffTable.js';
import { DB_OPTION } from '../dbOption.js';
import { storedRunReport } from '../../run/runService.js';
import { EXIT_FINDING, EXIT_OK } from '../../model/exitCodes.js';

interface DiffArgs { runA: string; runB: string; json: boolean; threshold: number; db: string }

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: 'diff <run-a> <run-b>',
  describe: 'what changed from RUN_A to RUN_B, per pair and direction; exit 1 when something regressed',
  builder: (yargs: Argv) => yargs
    .positional('run-a', { type: 'string', demandOption: true, describe: 'the older run (e.g. the baseline)' })
    .positional('run-b', { type: 'string', demandOption: true, describe: 'the newer run' })
    .option('json', { type: 'boolean', default: false, describe: 'print the diff as one versioned JSON object' })
    .option('threshold', {
      type: 'number', default: DEFAULT_THROUGHPUT_THRESHOLD * 100,
      describe: 'a throughput median must move by more than this many percent (and beyond the repeats\' noise) to count',
    })
    .option('db', DB_OPTION) as unknown as Argv<DiffArgs>,
  handler: async (argv) => {
    if (!Number.isFinite(argv.threshold) || argv.threshold < 0) {
      throw new PathprobeError('ERR_USAGE', `--threshold must be a percentage ≥ 0, got ${argv.threshold}`);
    }
    const store = await RunStore.open(argv.db);
    try {
      await store.requireRuns([argv.runA, argv.runB]);
      const [base, next] = [await storedRunReport(store, argv.runA), await storedRunReport(store, argv.runB)];
      const diff = diffRuns(base, next, { throughputThreshold: argv.threshold / 100 });
      process.stdout.write(argv.json ? JSON.stringify(diff, null, 2) + '\n' : renderDiffTable(diff));
      process.exitCode = diff.regressed ? EXIT_FINDING : EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
