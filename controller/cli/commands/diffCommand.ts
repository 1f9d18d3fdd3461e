import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { RunStore } from '../../store/RunStore.js';
import { storedRunReport } from '../../diff/compareWithBaseline.js';
import { DEFAULT_THROUGHPUT_THRESHOLD, diffRuns } from '../../diff/diffRuns.js';
import { renderDiffTable } from '../../diff/diffTable.js';
import { DB_OPTION } from './runCommand.js';

export { compareWithBaseline } from '../../diff/compareWithBaseline.js';

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
  handler: (argv) => {
    if (!Number.isFinite(argv.threshold) || argv.threshold < 0) {
      throw new PathprobeError('ERR_USAGE', `--threshold must be a percentage ≥ 0, got ${argv.threshold}`);
    }
    const store = RunStore.open(argv.db);
    try {
      const missing = [argv.runA, argv.runB].filter((id, i, all) => all.indexOf(id) === i && !store.getRun(id));
      if (missing.length) {
        throw new PathprobeError('ERR_USAGE', `no run ${missing.join(' or ')} in ${argv.db} (see pathprobe runs --db ${argv.db})`);
      }
      const diff = diffRuns(storedRunReport(store, argv.runA)!, storedRunReport(store, argv.runB)!, { throughputThreshold: argv.threshold / 100 });
      process.stdout.write(argv.json ? JSON.stringify(diff, null, 2) + '\n' : renderDiffTable(diff));
      process.exitCode = diff.regressed ? 1 : 0;
    } finally {
      store.close();
    }
  },
};
