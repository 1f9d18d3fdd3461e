import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_MAIN } from './repoPaths.js';

export interface RunningAgent { url: string; child: ChildProcess; stop(): Promise<void>; stderr(): string; stdout(): string }

/** Writes a token to a fresh temporary file; the caller removes the directory. */
export async function tokenFile(token: string): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-test-'));
  const path = join(dir, 'token');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Starts a real agent process and resolves with its URL once it says it is listening.
 * `command` lets lab tests wrap it (e.g. `ip netns exec NS`).
 */
export function startAgent(args: readonly string[], options: { command?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<RunningAgent> {
  const prefix = options.command ?? [];
  const argv = [...prefix, process.execPath, AGENT_MAIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`agent did not start in 10 s: ${stderr}`)); }, 10_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening on (https?:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child, stop, stderr: () => stderr, stdout: () => stdout });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code} before listening: ${stderr.trim()}`));
    });
  });
}
