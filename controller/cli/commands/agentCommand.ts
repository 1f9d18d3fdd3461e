import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';

/** The agent is its own program (agent/ and controller/ never import each other). */
export const AGENT_MAIN = fileURLToPath(new URL('../../../agent/main.js', import.meta.url));

/**
 * `pathprobe agent ...` runs the agent daemon in this terminal: the arguments go to it unchanged,
 * signals are passed on, and its exit status becomes ours.
 */
export const agentCommand: CommandModule = {
  command: 'agent',
  describe: 'run the agent daemon on this host (see `pathprobe agent --help`)',
  builder: (yargs: Argv) => yargs.help(false).version(false).strict(false),
  handler: async () => {
    const args = process.argv.slice(process.argv.indexOf('agent') + 1);
    const child = spawn(process.execPath, [AGENT_MAIN, ...args], { stdio: 'inherit' });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
    const code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (signal ? constants.signals[signal] : 0))));
    process.exitCode = code;
  },
};
