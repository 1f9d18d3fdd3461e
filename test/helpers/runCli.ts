import { execFile } from 'node:child_process';
import { CLI_MAIN } from './repoPaths.js';

export interface CliResult { exitCode: number; stdout: string; stderr: string }

/** Runs the real `pathprobe` entry point as a separate process, as a user would. */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 128) : 0;
      resolve({ exitCode, stdout, stderr });
    });
  });
}
