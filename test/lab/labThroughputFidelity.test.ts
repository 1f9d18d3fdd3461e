import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { Lab } from '../../scripts/lab/lab.js';
import { labUp } from '../../scripts/lab/labUp.js';
import { listNetns } from '../../scripts/lab/removeNamespaces.js';
import { rateLimited, twoPathEcmp } from '../../scripts/lab/topologies.js';
import type { Topology } from '../../scripts/lab/topology.js';

// Real iperf3 through real namespaces: needs root, never skipped (CI runs as root). Serial: the
// machine has 2 cores, and two shaped labs measured at once would measure each other.

const PORT = 5201;
const CLIENT_TIMEOUT_MS = 15_000;
const SERVER_READY_TIMEOUT_MS = 3_000;
const SERVER_EXIT_TIMEOUT_MS = 5_000;
// With fib_multipath_hash_policy 3 (5-tuple from the headers) and a fixed seed, the path of a
// 5-tuple is the same in every run: checked that cport 40001 takes the first r1–r2 link and
// 40100..40103 use both. The asserts below check the split anyway (tx_bytes per link).
const P1_CPORT = 40001;
const P4_CPORT_BASE = 40100;

interface IperfOutcome {
  receivedBps: number;
  retransmits: number;
}

async function up(t: ExecutionContext, topology: Topology): Promise<Lab> {
  const lab = await labUp(topology);
  t.teardown(() => lab.down());
  t.log(`${topology.name}: lab ${lab.id} up in ${lab.buildMs} ms`);
  return lab;
}

async function waitForListen(lab: Lab, node: string, port: number): Promise<void> {
  const deadlineMs = Date.now() + SERVER_READY_TIMEOUT_MS;
  for (;;) {
    const r = await lab.exec(node, ['ss', '-Hltn', `sport = :${port}`]);
    if (r.stdout.trim() !== '') return;
    if (Date.now() > deadlineMs) throw new Error(`iperf3 server in ${node} not listening on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One iperf3 test h1 → h2 (or h2 → h1 with reverse), a one-off server that has exited on return. */
async function iperf(
  t: ExecutionContext,
  lab: Lab,
  opts: { streams: number; cport?: number; reverse?: boolean; v6?: boolean },
): Promise<IperfOutcome> {
  const h2 = lab.hosts.h2;
  if (!h2) throw new Error('no h2');
  const server = lab.spawn('h2', ['iperf3', '-s', '-1', '-p', String(PORT), '-J']);
  const serverExited = server.result;
  await waitForListen(lab, 'h2', PORT);
  const argv = ['iperf3', '-c', opts.v6 ? h2.v6 : h2.v4, '-p', String(PORT), '-J', '-t', '2', '-O', '1', '-C', 'cubic'];
  argv.push('-P', String(opts.streams));
  if (opts.cport !== undefined) argv.push('--cport', String(opts.cport));
  if (opts.reverse) argv.push('-R');
  const r = await lab.exec('h1', argv, { timeoutMs: CLIENT_TIMEOUT_MS });
  let timer: NodeJS.Timeout | undefined;
  const exitedInTime = await Promise.race([
    serverExited.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SERVER_EXIT_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (!exitedInTime) server.kill('SIGKILL');
  t.true(exitedInTime, 'the one-off iperf3 server must exit after its test');
  if (r.exitCode !== 0) throw new Error(`iperf3 client failed (exit ${r.exitCode}): ${r.stdout.slice(0, 2000)} ${r.stderr}`);
  const json = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits?: number } } };
  return { receivedBps: json.end.sum_received.bits_per_second, retransmits: json.end.sum_sent.retransmits ?? 0 };
}

async function txBytes(lab: Lab, node: string, dev: string): Promise<number> {
  const r = await lab.exec(node, ['ip', '-s', '-j', 'link', 'show', 'dev', dev]);
  const links = JSON.parse(r.stdout) as Array<{ stats64: { tx: { bytes: number } } }>;
  const bytes = links[0]?.stats64.tx.bytes;
  if (bytes === undefined) throw new Error(`no tx bytes for ${node}/${dev}: ${r.stdout} ${r.stderr}`);
  return bytes;
}

const mbit = (bps: number): string => `${(bps / 1e6).toFixed(1)} Mbit/s`;

test.serial('rateLimited 500: one cubic stream gets within 10 % of 500 Mbit/s, each direction', async (t) => {
  const lab = await up(t, rateLimited({ rateMbit: 500 }));
  for (const port of ['to-h1', 'to-h2']) {
    t.regex((await lab.exec('sw1', ['tc', 'qdisc', 'show', 'dev', port])).stdout, /tbf .*rate 500Mbit burst \d+[KM]?b lat 2ms/);
  }
  const forward = await iperf(t, lab, { streams: 1 });
  const reverse = await iperf(t, lab, { streams: 1, reverse: true });
  t.log(`h1→h2 P1 ${mbit(forward.receivedBps)} (${forward.retransmits} retr), h2→h1 P1 ${mbit(reverse.receivedBps)}`);
  for (const [what, r] of [['h1→h2', forward], ['h2→h1', reverse]] as const) {
    t.true(Math.abs(r.receivedBps - 500e6) <= 50e6, `${what}: ${mbit(r.receivedBps)} should be within 10 % of 500 Mbit/s`);
  }
});

test.serial('twoPathEcmp 2 × 300: 4 flows spread over both links and get ≥ 1.5 × one flow', async (t) => {
  const lab = await up(t, twoPathEcmp({ rateMbitPerPath: 300 }));
  const links = ['to-r2-1', 'to-r2-2'];
  const route = (await lab.exec('r1', ['ip', 'route', 'show', `${lab.hosts.h2?.v4 ?? ''}/32`])).stdout;
  for (const dev of links) t.regex(route, new RegExp(`nexthop via \\S+ dev ${dev} weight 1`), route);
  for (const [node, dev] of [['r1', 'to-r2-1'], ['r1', 'to-r2-2'], ['r2', 'to-r1-1'], ['r2', 'to-r1-2']] as const) {
    t.regex((await lab.exec(node, ['tc', 'qdisc', 'show', 'dev', dev])).stdout, /tbf .*rate 300Mbit/, `${node}/${dev}`);
  }

  const splitOf = async (run: () => Promise<IperfOutcome>): Promise<{ outcome: IperfOutcome; bytes: number[] }> => {
    const before = await Promise.all(links.map((dev) => txBytes(lab, 'r1', dev)));
    const outcome = await run();
    const after = await Promise.all(links.map((dev) => txBytes(lab, 'r1', dev)));
    return { outcome, bytes: after.map((a, i) => a - (before[i] ?? 0)) };
  };
  const p1 = await splitOf(() => iperf(t, lab, { streams: 1, cport: P1_CPORT }));
  const p4 = await splitOf(() => iperf(t, lab, { streams: 4, cport: P4_CPORT_BASE }));
  const mb = (b: number[]): string => b.map((x) => `${(x / 1e6).toFixed(1)} MB`).join(' / ');
  t.log(`P1 ${mbit(p1.outcome.receivedBps)} (${p1.outcome.retransmits} retr), r1 tx ${mb(p1.bytes)}`);
  t.log(`P4 ${mbit(p4.outcome.receivedBps)} (${p4.outcome.retransmits} retr), r1 tx ${mb(p4.bytes)}`);

  t.true(p1.outcome.receivedBps <= 300e6 * 1.02, `P1 ${mbit(p1.outcome.receivedBps)} cannot beat one 300 Mbit/s path`);
  t.true(
    p4.outcome.receivedBps >= 1.5 * p1.outcome.receivedBps,
    `P4 ${mbit(p4.outcome.receivedBps)} should be ≥ 1.5 × P1 ${mbit(p1.outcome.receivedBps)}`,
  );
  const p4Total = p4.bytes.reduce((a, b) => a + b, 0);
  for (const [i, dev] of links.entries()) {
    t.true((p4.bytes[i] ?? 0) >= 0.25 * p4Total, `r1/${dev} carried ${mb([p4.bytes[i] ?? 0])} of ${mb([p4Total])} in the P4 run`);
  }
  // One flow stays on one link (per-flow hashing, no per-packet spraying).
  t.true(Math.min(...p1.bytes) <= 0.02 * Math.max(...p1.bytes), `P1 split ${mb(p1.bytes)} should use one link`);

  // IPv6 is ECMP as well (same 5-tuple hashing).
  const v6 = await splitOf(() => iperf(t, lab, { streams: 4, cport: P4_CPORT_BASE, v6: true }));
  t.log(`P4 IPv6 ${mbit(v6.outcome.receivedBps)}, r1 tx ${mb(v6.bytes)}`);
  t.true(Math.min(...v6.bytes) > 0, `IPv6 P4 split ${mb(v6.bytes)} should use both links`);

  await lab.down();
  const namespaces = await listNetns();
  t.deepEqual(namespaces.filter((n) => lab.namespaces.includes(n)), []);
});
