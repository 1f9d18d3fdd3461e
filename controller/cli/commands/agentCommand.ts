import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';

/**
 * `pathprobe agent ...` runs the agent daemon in this process: main.ts hands the process over to
 * the agent program before the command line loads (agent/ and controller/ never import each
 * other otherwise). This entry lists the command in `pathprobe --help`.
 */
export const agentCommand: CommandModule = {
  command: 'agent',
  describe: 'run the agent daemon on this host (see `pathprobe agent --help`)',
  builder: (yargs: Argv) => yargs.help(false).version(false).strict(false),
  handler: () => {
    // Reached only when `agent` is not the first word, e.g. after an option.
    throw new PathprobeError('ERR_USAGE', '`agent` must come first: pathprobe agent --listen ADDRESS:PORT ...');
  },
};
