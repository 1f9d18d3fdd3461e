#!/usr/bin/env node
// The pathprobe command line. The only place that decides the process's exit status, except that
// `pathprobe agent ...` becomes the agent program, which then owns the process and its exit status.
import { PathprobeError } from '../../proto/errorCodes.js';
import { exitCodeOf } from '../model/exitCodes.js';
import { agentProgramArgv, isAgentCommand } from './agentProgramArgv.js';

/** process.exit does not wait for a piped stdout: a large --json would be cut short. */
function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pathprobe: ${message.split('\n')[0]}\n`);
  if (error instanceof PathprobeError && error.code === 'ERR_USAGE') process.stderr.write('run `pathprobe --help` for usage\n');
  exitWhenFlushed(exitCodeOf(error));
}

if (isAgentCommand(process.argv)) {
  // One process, not a CLI parent idling beside the agent (it doubled an agent's memory): nothing
  // of the command line is loaded yet, and the agent program reads process.argv as if started
  // itself. The one import from controller/ into agent/ (test/architecture.test.ts).
  const agentMain = new URL('../../agent/main.js', import.meta.url);
  process.argv = agentProgramArgv(process.argv, agentMain);
  import('../../agent/main.js').catch(fail);
} else {
  import('./parseCommandLine.js')
    .then(({ parseCommandLine }) => parseCommandLine(process.argv.slice(2)))
    .then(() => exitWhenFlushed(Number(process.exitCode ?? 0)), fail);
}
