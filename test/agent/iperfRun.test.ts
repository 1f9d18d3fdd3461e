import test from 'ava';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { exec } from '../../agent/exec.js';
import { startIperfServers } from '../../agent/iperf/iperfServers.js';
import { runIperfClients } from '../../agent/iperf/runIperfClients.js';
import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import { IperfRunResult } from '../../proto/throughput.js';
import type { IperfRunRequest } from '../../proto/throughput.js';

// Loopback only. Serial: iperf3 fills both cores, and the deadline test needs a quiet machine.
const LOOPBACK = '127.0.0.1';
const LIFETIME_MS = 60_000;

function request(ports: number[], overrides: Partial<IperfRunRequest> = {}): IperfRunRequest {
  return {
    v: CONTRACT_VERSION,
    target: { address: LOOPBACK, ports },
    streams: 1,
    mssBytes: null,
    durationMs: 1000,
    omitMs: 0,
    congestionControl: 'cubic',
    ...overrides,
  };
}

/** iperf3 processes (clients or servers) whose command line names this port. */
async function iperfProcessesOnPort(port: number): Promise<string> {
  const result = await exec('pgrep', ['-a', '-f', `iperf3 .*-p ${port} `], { timeoutMs: 5_000 });
  return result.stdout.trim();
}

/** A port nothing listens on right now: the kernel's pick for a socket we close at once. */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

test.serial('four streams over two servers run as two processes of two streams, each a measurement', async (t) => {
  const servers = await startIperfServers({ bindAddress: LOOPBACK, count: 2, maxLifetimeMs: LIFETIME_MS });
  t.teardown(() => servers.stop());
  t.is(servers.ports.length, 2);
  t.not(servers.ports[0], servers.ports[1]);

  const result = await runIperfClients(request(servers.ports, { streams: 4 }));
  t.notThrows(() => IperfRunResult.parse(result), 'the result matches the wire contract');
  t.regex(result.iperfVersion, /^iperf 3\.\d+/);
  t.deepEqual(result.processes.map((p) => [p.port, p.streams]), servers.ports.map((port) => [port, 2]));
  for (const process of result.processes) {
    t.is(process.failure, null, JSON.stringify(process.failure));
    t.false(process.timedOut);
    t.true((process.bitsPerSecondReceived ?? 0) > 0);
    t.is(typeof process.retransmits, 'number');
    t.true(process.intervalBitsPerSecond.length > 0);
    t.is(process.congestionControl, 'cubic');
  }
  t.is(typeof result.mssBytesObserved, 'number');
  t.true(result.maxCorePercent !== null && result.maxCorePercent > 0 && result.maxCorePercent <= 100);
  t.true(result.elapsedMs >= 1000);

  // One-shot servers exit by themselves after their test: nothing had to be killed.
  t.deepEqual(await servers.stop(), { killed: 0 });
});

test.serial('an -M 1460 run shows the clamped MSS in use, minus the 12 bytes of TCP timestamps', async (t) => {
  const servers = await startIperfServers({ bindAddress: LOOPBACK, count: 1, maxLifetimeMs: LIFETIME_MS });
  t.teardown(() => servers.stop());
  const result = await runIperfClients(request(servers.ports, { mssBytes: 1460 }));
  t.is(result.processes[0]?.failure, null);
  t.is(result.mssBytesObserved, 1448);
});

test.serial('a client toward a port with no server is refused', async (t) => {
  const port = await unusedPort();
  const result = await runIperfClients(request([port]));
  t.is(result.processes[0]?.failure?.class, 'refused');
  t.regex(result.processes[0]?.failure?.message ?? '', /Connection refused/);
  t.is(result.mssBytesObserved, null);
});

test.serial('a second client toward a server already running a test is told it is busy', async (t) => {
  const servers = await startIperfServers({ bindAddress: LOOPBACK, count: 1, maxLifetimeMs: LIFETIME_MS });
  t.teardown(() => servers.stop());
  const first = runIperfClients(request(servers.ports, { durationMs: 3000 }));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const second = await runIperfClients(request(servers.ports));
  t.is(second.processes[0]?.failure?.class, 'busy');
  t.is((await first).processes[0]?.failure, null);
});

test.serial('a client past its deadline is a timeout and leaves no iperf3 process behind', async (t) => {
  // Accepts the control connection and never answers: the client waits until our deadline.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => { sockets.add(socket); socket.on('error', () => undefined); });
  t.teardown(() => { for (const socket of sockets) socket.destroy(); silent.close(); });
  await new Promise<void>((resolve) => silent.listen(0, LOOPBACK, resolve));
  const address = silent.address();
  if (address === null || typeof address !== 'object') throw new Error('the silent server has no port');

  const result = await runIperfClients(request([address.port]), { deadlineMarginMs: 0 });
  const process = result.processes[0];
  t.true(process?.timedOut);
  t.is(process?.failure?.class, 'timeout');
  t.true(result.elapsedMs >= 4000, 'deadline = 1 s + 3 s connect timeout + 0 margin');
  t.is(await iperfProcessesOnPort(address.port), '');
});

test.serial('stop() kills a server nobody connected to and reports it', async (t) => {
  const servers = await startIperfServers({ bindAddress: LOOPBACK, count: 1, maxLifetimeMs: LIFETIME_MS });
  t.teardown(() => servers.stop());
  const port = servers.ports[0]!;
  t.not(await iperfProcessesOnPort(port), '');
  t.deepEqual(await servers.stop(), { killed: 1 });
  t.is(await iperfProcessesOnPort(port), '');
});

test.serial('a server is gone once its lifetime has passed, without stop()', async (t) => {
  const servers = await startIperfServers({ bindAddress: LOOPBACK, count: 1, maxLifetimeMs: 1000 });
  t.teardown(() => servers.stop());
  const port = servers.ports[0]!;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.is(await iperfProcessesOnPort(port), '');
  t.deepEqual(await servers.stop(), { killed: 0 });
});

test.serial('servers that cannot bind fail with one clear line and keep the cause', async (t) => {
  // 198.18.255.254 (a benchmarking address) is on no interface of this host.
  const error = await t.throwsAsync(startIperfServers({ bindAddress: '198.18.255.254', count: 2, maxLifetimeMs: LIFETIME_MS }));
  t.regex(error!.message, /^cannot start 2 iperf3 server\(s\) on 198\.18\.255\.254: /);
  t.false(error!.message.includes('\n'));
  t.truthy(error!.cause);
});
