import { fileURLToPath } from 'node:url';

/** `pathprobe agent ...`: the command word comes first, as yargs wants it (`pathprobe --help agent` is help). */
export function isAgentCommand(argv: readonly string[]): boolean {
  return argv[2] === 'agent';
}

/**
 * The process.argv the agent program would have had if started itself (`node agent/main.js ARGS`):
 * the node binary, the agent's entry file, then the arguments after `agent`, unchanged.
 */
export function agentProgramArgv(argv: readonly string[], agentMain: URL): string[] {
  return [argv[0]!, fileURLToPath(agentMain), ...argv.slice(3)];
}
