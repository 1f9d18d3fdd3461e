#!/usr/bin/env node
// The pathprobe command line. The only place that decides the process's exit status.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
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
import { exitCodeOf } from '../model/exitCodes.js';

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
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

/** process.exit does not wait for a piped stdout: a large --json would be cut short. */
function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main().then(
  () => exitWhenFlushed(Number(process.exitCode ?? 0)),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pathprobe: ${message.split('\n')[0]}\n`);
    if (error instanceof PathprobeError && error.code === 'ERR_USAGE') process.stderr.write('run `pathprobe --help` for usage\n');
    exitWhenFlushed(exitCodeOf(error));
  },
);
