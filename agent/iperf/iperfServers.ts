import { createServer } from 'node:net';
import { exec } from '../exec.js';
import type { ExecResult } from '../exec.js';
import { parseIperfJson } from './decodeIperfJson.js';

export interface StartIperfServersOptions {
  bindAddress: string;
  count: number;
  /** Every server is killed after this long, stopped or not: it can never outlive its session. */
  maxLifetimeMs: number;
}

export interface IperfServers {
  ports: number[];
  /** Ends every server still running (SIGTERM, then SIGKILL); `killed` counts those. */
  stop(): Promise<{ killed: number }>;
  /** Settles once every server has exited, on its own (`-1`: after its one test) or stopped. */
  allExited: Promise<void>;
}

/**
 * Frees a server whose client vanished mid-test (link cut, client SIGKILLed); without it 3.12 held
 * the port for 68 s. It does not cover the control-channel hang (docs/iperf3.md): the lifetime does.
 */
const SERVER_RCV_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 3_000;
const READY_POLL_MS = 20;
const PORT_ATTEMPTS = 5;
const SS_TIMEOUT_MS = 2_000;
const STOP_GRACE_MS = 250;

interface RunningServer {
  port: number;
  controller: AbortController;
  done: Promise<ExecResult>;
  exited: boolean;
}

class AddressInUse extends Error {}

/** A port the kernel just gave out as free on bindAddress; another process may still take it before iperf3 does. */
function pickFreePort(bindAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: bindAddress, exclusive: true }, () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error(`no port from a probe socket on ${bindAddress}`));
      });
    });
  });
}

/** With -J the server prints nothing on start, so readiness is its listening socket, owned by its PID. */
async function isListening(port: number, pid: number): Promise<boolean> {
  const result = await exec('ss', ['-Hltnp', `sport = :${port}`], { timeoutMs: SS_TIMEOUT_MS });
  return result.stdout.includes(`pid=${pid},`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function serverError(result: ExecResult): string {
  const error = parseIperfJson(result.stdout)?.['error'];
  if (typeof error === 'string') return error;
  const said = result.stderr.trim().split('\n')[0];
  return said ? said : `iperf3 exited with ${result.exitCode ?? result.signal}`;
}

async function startOneServer(bindAddress: string, port: number, maxLifetimeMs: number): Promise<RunningServer> {
  const controller = new AbortController();
  let pid: number | undefined;
  const args = ['-s', '-1', '-p', String(port), '-B', bindAddress, '-J', '--rcv-timeout', String(SERVER_RCV_TIMEOUT_MS)];
  const server: RunningServer = {
    port,
    controller,
    exited: false,
    done: exec('iperf3', args, {
      timeoutMs: maxLifetimeMs,
      signal: controller.signal,
      onSpawn: (spawnedPid) => { pid = spawnedPid; },
    }),
  };
  server.done = server.done.finally(() => { server.exited = true; });
  // Marks the rejection (iperf3 cannot be started at all) handled until we await it below.
  server.done.catch(() => undefined);
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.exited) {
      const why = serverError(await server.done);
      if (/address already in use/i.test(why)) throw new AddressInUse(why);
      throw new Error(`iperf3 server on ${bindAddress} port ${port} exited before listening: ${why}`);
    }
    if (pid !== undefined && (await isListening(port, pid))) return server;
    if (performance.now() > deadline) {
      controller.abort();
      await server.done.catch(() => undefined);
      throw new Error(`iperf3 server on ${bindAddress} port ${port} was not listening after ${READY_TIMEOUT_MS} ms`);
    }
    await sleep(READY_POLL_MS);
  }
}

async function startServerOnFreePort(bindAddress: string, maxLifetimeMs: number, taken: Set<number>): Promise<RunningServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const port = await pickFreePort(bindAddress);
    if (taken.has(port)) continue;
    taken.add(port);
    try {
      return await startOneServer(bindAddress, port, maxLifetimeMs);
    } catch (error) {
      // Someone took the port between our probe and iperf3's bind: try another.
      if (!(error instanceof AddressInUse)) throw error;
      lastError = error;
    }
  }
  throw new Error(`no free port for an iperf3 server on ${bindAddress} after ${PORT_ATTEMPTS} attempts`, { cause: lastError });
}

async function stopServers(servers: readonly RunningServer[]): Promise<{ killed: number }> {
  // A `-1` server exits a moment after its client has its results; stop() right after a run must
  // not count that one as killed.
  await Promise.race([Promise.allSettled(servers.map((server) => server.done)), sleep(STOP_GRACE_MS)]);
  // Count only those still running now: a server that served its one test exited on its own.
  const stillRunning = servers.filter((server) => !server.exited);
  for (const server of stillRunning) server.controller.abort();
  const results = await Promise.allSettled(servers.map((server) => server.done));
  const killed = results.filter((r) => r.status === 'fulfilled' && r.value.aborted).length;
  return { killed };
}

/**
 * Starts `count` one-shot iperf3 servers (`-s -1`) on free ports of bindAddress, each under a
 * deadline of maxLifetimeMs. Resolves once every one is listening. If one cannot start, those
 * already started are stopped and the error says why.
 */
export async function startIperfServers(options: StartIperfServersOptions): Promise<IperfServers> {
  const { bindAddress, count, maxLifetimeMs } = options;
  const taken = new Set<number>();
  const attempts = await Promise.allSettled(
    Array.from({ length: count }, () => startServerOnFreePort(bindAddress, maxLifetimeMs, taken)),
  );
  const servers = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
  const failed = attempts.find((a): a is PromiseRejectedResult => a.status === 'rejected');
  if (failed) {
    await stopServers(servers);
    const cause: unknown = failed.reason;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot start ${count} iperf3 server(s) on ${bindAddress}: ${message}`, { cause });
  }
  let stopping: Promise<{ killed: number }> | undefined;
  return {
    ports: servers.map((server) => server.port),
    stop: () => (stopping ??= stopServers(servers)),
    allExited: Promise.allSettled(servers.map((server) => server.done)).then(() => undefined),
  };
}
