// The pathprobe commands: one yargs program, parsed and run; main.ts sets the exit status.
import yargs from 'yargs';
import { PathprobeError } from '../../proto/errorCodes.js';
import { agentCommand } from './commands/agentCommand.js';
import { pmtuCommand } from './commands/pmtuCommand.js';
import { demoCommand } from './commands/demoCommand.js';
import { throughputCommand } from './commands/throughputCommand.js';
import { runCommand } from './commands/runCommand.js';
import { runsCommand } from './commands/runsCommand.js';
import { reportCommand } from './commands/reportCommand.js';
import { baselineCommand } from './commands/baselineCommand.js';
import { diffCommand } from './commands/diffCommand.js';
import { serveCommand } from './commands/serveCommand.js';
import { certsCommand } from './commands/certsCommand.js';

/** Parses the arguments after `pathprobe` and runs the command they name. */
export async function parseCommandLine(args: readonly string[]): Promise<void> {
  await yargs([...args])
    .scriptName('pathprobe')
    .usage('$0 <command> [options]')
    .command(agentCommand)
    .command(pmtuCommand)
    .command(throughputCommand)
    .command(runCommand)
    .command(runsCommand)
    .command(reportCommand)
    .command(baselineCommand)
    .command(diffCommand)
    .command(serveCommand)
    .command(demoCommand)
    .command(certsCommand)
    .demandCommand(1, 'name a command: agent, pmtu, throughput, run, runs, report, baseline, diff, serve, demo or certs')
    .strict()
    .help()
    .fail((message, error) => {
      if (error) throw error;
      throw new PathprobeError('ERR_USAGE', message);
    })
    .parseAsync();
}
