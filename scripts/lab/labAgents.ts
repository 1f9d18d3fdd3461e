import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from './lab.js';
import type { RunResult } from './run.js';

/** The compiled programs, relative to dist/scripts/lab/. */
const AGENT_MAIN = fileURLToPath(new URL('../../agent/main.js', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../../controller/cli/main.js', import.meta.url));
export const LAB_AGENT_PORT = 7420;

export interface LabAgents {
  /** Agent URL per host, on the management network. */
  urls: Record<string, string>;
  tokenFile: string;
  /** Runs `pathprobe ARGS` inside the controller namespace, as an operator would. */
  cli(args: readonly string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** The same, but returns at once: for tests that act while a command runs. */
  spawnCli(args: readonly string[]): import('node:child_process').ChildProcess;
  /** Kills one host's agent the hard way (SIGKILL), as a crash or a pulled cable would. */
  kill(host: string): void;
  stop(): Promise<void>;
}

/**
 * Starts a real agent in every host of the lab, listening on its management address with a fresh
 * token, and resolves once each one says it is listening. The processes belong to the lab, so
 * `lab.down()` kills them even if `stop()` is never reached.
 */
export async function startLabAgents(lab: Lab, hosts: readonly string[] = Object.keys(lab.hosts)): Promise<LabAgents> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-lab-'));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const children = hosts.map((name) => {
    const host = lab.hosts[name];
    if (!host) throw new Error(`no host ${name} in lab ${lab.id}`);
    const child = lab.spawn(name, [process.execPath, AGENT_MAIN, '--listen', `${host.mgmtAddress}:${LAB_AGENT_PORT}`, '--token-file', tokenFile]);
    return { name, host, child };
  });
  const stop = async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const urls = Object.fromEntries(await Promise.all(children.map(({ name, child }) => new Promise<[string, string]>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`agent on ${name} did not start in 15 s: ${stderr.trim()}`)), 15_000);
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve([name, match[1]!]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`agent on ${name} exited with ${code}: ${stderr.trim()}`));
      });
    }))));
    return {
      urls,
      tokenFile,
      cli: (args, opts) => lab.exec('ctl', [process.execPath, CLI_MAIN, ...args], { timeoutMs: opts?.timeoutMs ?? 60_000 }),
      spawnCli: (args) => lab.spawn('ctl', [process.execPath, CLI_MAIN, ...args]),
      kill: (host) => children.find((c) => c.name === host)?.child.kill('SIGKILL'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
