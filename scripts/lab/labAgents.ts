import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import type { RunResult, StartedProcess } from './run.js';

export const LAB_AGENT_PORT = 7420;
/**
 * Agents started at once; each wave is listening before the next starts. On 2 cores, 32 node
 * processes started together missed a 15 s deadline (16 took ~13 s): in waves, each agent's
 * deadline stays meaningful.
 */
export const AGENT_WAVE_SIZE = 8;
const AGENT_START_TIMEOUT_MS = 15_000;
const DEFAULT_CLI_TIMEOUT_MS = 60_000;

/**
 * The compiled programs the lab runs. The caller knows where they are (the demo next to itself,
 * tests and benches relative to dist/): the lab never guesses a path into another layer.
 */
export interface LabPrograms {
  agentMain: string;
  cliMain: string;
}

export interface LabAgentsOptions {
  programs: LabPrograms;
  /** Default: every host of the lab. */
  hosts?: readonly string[];
  /** Stops between waves, so an interrupted bench does not start the rest of 32 agents. */
  signal?: AbortSignal;
  /** More agent flags for a host (TLS files, a policy); the URL scheme follows what the agent says. */
  extraArgs?: (host: string) => readonly string[];
  /**
   * Run each agent as this unprivileged user holding only CAP_NET_RAW, as systemd's
   * `User=` + `AmbientCapabilities=CAP_NET_RAW` would (util-linux setpriv); the token is theirs.
   */
  runAs?: { uid: number; gid: number };
  /**
   * More environment for a host's agent, e.g. a PATH without iperf3: the agent finds its tools
   * through PATH, so such an agent stands for a host where iperf3 is not installed.
   */
  env?: (host: string) => Record<string, string> | undefined;
}

export interface LabAgents {
  /** Agent URL per host, on the management network. */
  urls: Record<string, string>;
  tokenFile: string;
  /** Runs `pathprobe ARGS` inside the controller namespace, as an operator would. */
  cli(args: readonly string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** The same, but returns at once: for tests and benches that act while a command runs. */
  spawnCli(args: readonly string[], opts?: { timeoutMs?: number; stdoutFile?: string }): StartedProcess;
  /** Kills one host's agent the hard way (SIGKILL), as a crash or a pulled cable would. */
  kill(host: string): void;
  /** Sends one host's agent a signal: SIGSTOP hangs it (its kernel still accepts connections), SIGCONT wakes it. */
  signal(host: string, signal: NodeJS.Signals): void;
  /** The PID of a host's agent process (`ip netns exec` execs in place), undefined when it is not known. */
  pidOf(host: string): number | undefined;
  /** What a host's current agent has written to stderr so far (its log lines). */
  stderrOf(host: string): string;
  /**
   * Starts a host's agent again, same flags, same token, same address (stopping it first if it
   * still runs), as a supervisor restarting a crashed one would; resolves once it is listening.
   */
  restart(host: string): Promise<void>;
  stop(): Promise<void>;
}

/** Resolves with the agent's URL once it says it is listening; rejects if it exits or is slow. */
function listening(name: string, agent: StartedProcess, stderrOf: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`agent on ${name} did not start in ${AGENT_START_TIMEOUT_MS / 1000} s: ${stderrOf().trim()}`)), AGENT_START_TIMEOUT_MS);
    agent.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening on (https?:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void agent.result.then((r) => {
      clearTimeout(timer);
      reject(new Error(`agent on ${name} exited with ${r.exitCode ?? r.signal}: ${(stderrOf() || r.stderr).trim()}`));
    });
  });
}

/**
 * Starts a real agent in every host of the lab (in waves of AGENT_WAVE_SIZE), listening on its
 * management address with a fresh token, and resolves once each one says it is listening. The
 * processes belong to the lab, so `lab.down()` stops them even if `stop()` is never reached.
 */
export async function startLabAgents(lab: Lab, opts: LabAgentsOptions): Promise<LabAgents> {
  const { agentMain, cliMain } = opts.programs;
  const names = opts.hosts ?? Object.keys(lab.hosts);
  for (const name of names) if (!lab.hosts[name]) throw new Error(`no host ${name} in lab ${lab.id}`);
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-lab-'));
  const tokenFile = join(dir, 'token');
  const agents = new Map<string, StartedProcess>();
  const stderrs = new Map<string, string>();
  const stop = async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await writeFile(tokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
    const runAs = opts.runAs;
    if (runAs) {
      await chown(dir, runAs.uid, runAs.gid);
      await chown(tokenFile, runAs.uid, runAs.gid);
    }
    const prefix = runAs === undefined ? [] : [
      'setpriv', `--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups',
      '--inh-caps=-all,+net_raw', '--ambient-caps=-all,+net_raw', '--bounding-set=-all,+net_raw', '--',
    ];
    const found = new Map<string, string>();
    const startAgent = (name: string): Promise<string> => {
      const host = lab.hosts[name]!;
      // A host whose lab runs lldpd: the agent asks that instance, as it would ask /run/lldpd.socket.
      const lldpSocket = lab.lldpSocketOf(name);
      const env = opts.env?.(name);
      const agent = lab.spawn(name, [
        ...prefix, process.execPath, agentMain, '--listen', `${host.mgmtAddress}:${LAB_AGENT_PORT}`, '--token-file', tokenFile,
        ...(lldpSocket === null ? [] : ['--lldp-socket', lldpSocket]),
        ...(opts.extraArgs?.(name) ?? []),
      ], env === undefined ? {} : { env });
      agents.set(name, agent);
      stderrs.set(name, '');
      agent.stderr?.on('data', (chunk: string) => { if (agents.get(name) === agent) stderrs.set(name, stderrs.get(name)! + chunk); });
      return listening(name, agent, () => stderrs.get(name) ?? '');
    };
    for (let i = 0; i < names.length; i += AGENT_WAVE_SIZE) {
      opts.signal?.throwIfAborted();
      const wave = names.slice(i, i + AGENT_WAVE_SIZE).map((name) => startAgent(name).then((url) => { found.set(name, url); }));
      await Promise.all(wave);
    }
    // In host order, not in the order agents happened to come up: plans list agents from it.
    const urls = Object.fromEntries(names.map((name) => [name, found.get(name)!]));
    return {
      urls,
      tokenFile,
      cli: (args, cliOpts) => lab.exec('ctl', [process.execPath, cliMain, ...args], { timeoutMs: cliOpts?.timeoutMs ?? DEFAULT_CLI_TIMEOUT_MS }),
      spawnCli: (args, cliOpts) => lab.spawn('ctl', [process.execPath, cliMain, ...args], cliOpts),
      kill: (host) => agents.get(host)?.kill('SIGKILL'),
      signal: (host, signal) => agents.get(host)?.kill(signal),
      pidOf: (host) => agents.get(host)?.pid,
      stderrOf: (host) => stderrs.get(host) ?? '',
      restart: async (host) => {
        if (!names.includes(host)) throw new Error(`no agent of this lab runs on ${host}`);
        await agents.get(host)?.stop();
        const url = await startAgent(host);
        if (url !== found.get(host)) throw new Error(`agent on ${host} came back on ${url}, not ${found.get(host)}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
