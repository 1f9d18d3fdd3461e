import test from 'ava';
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cleanupStale } from '../../scripts/lab/cleanupStale.js';
import type { Lab } from '../../scripts/lab/lab.js';
import { newLabId } from '../../scripts/lab/labNaming.js';
import { LAB_TAG_DIR } from '../../scripts/lab/labOwnerTag.js';
import { labUp } from '../../scripts/lab/labUp.js';
import { listNetns } from '../../scripts/lab/removeNamespaces.js';
import { asymmetric, lossyCap, nicMismatch, rateLimited, routerFragNeeded, routerIcmpFiltered, silentCap } from '../../scripts/lab/topologies.js';
import type { Topology } from '../../scripts/lab/topology.js';
import { ICMP_HINT, ping } from '../helpers/dfPing.js';

// Real packets through real namespaces: needs root, never skipped (CI runs as root).


async function expectPass(t: ExecutionContext, lab: Lab, from: string, address: string, sizeBytes: number, count = 2): Promise<void> {
  const r = await ping(lab, from, address, sizeBytes, count);
  t.true(r.passed, `${from} → ${address} at ${sizeBytes} B should pass:\n${r.output}`);
}

async function expectSilentFail(t: ExecutionContext, lab: Lab, from: string, address: string, sizeBytes: number): Promise<void> {
  const r = await ping(lab, from, address, sizeBytes);
  t.false(r.passed, `${from} → ${address} at ${sizeBytes} B should fail:\n${r.output}`);
  t.notRegex(r.output, ICMP_HINT, `${from} → ${address} at ${sizeBytes} B should fail silently`);
}

async function up(t: ExecutionContext, topology: Topology): Promise<Lab> {
  const lab = await labUp(topology);
  t.teardown(() => lab.down());
  t.log(`${topology.name}: lab ${lab.id} up in ${lab.buildMs} ms`);
  return lab;
}

/** Both directions, v4 and v6. */
function pairs(lab: Lab): Array<{ from: string; address: string }> {
  const { h1, h2 } = lab.hosts;
  if (!h1 || !h2) throw new Error('topology lacks h1/h2');
  return [
    { from: 'h1', address: h2.v4 },
    { from: 'h1', address: h2.v6 },
    { from: 'h2', address: h1.v4 },
    { from: 'h2', address: h1.v6 },
  ];
}

async function icmpInEchos(lab: Lab, node: string): Promise<{ v4: number; v6: number }> {
  const snmp = (await lab.exec(node, ['cat', '/proc/net/snmp'])).stdout.split('\n').filter((l) => l.startsWith('Icmp:'));
  const names = (snmp[0] ?? '').split(/\s+/);
  const values = (snmp[1] ?? '').split(/\s+/);
  const v4 = Number(values[names.indexOf('InEchos')]);
  const snmp6 = (await lab.exec(node, ['cat', '/proc/net/snmp6'])).stdout;
  const v6 = Number(/Icmp6InEchos\s+(\d+)/.exec(snmp6)?.[1]);
  return { v4, v6 };
}

test.serial('silentCap 4470: 4470 passes, 4471 vanishes silently, both directions, v4 and v6', async (t) => {
  const lab = await up(t, silentCap({ capBytes: 4470 }));
  await Promise.all(
    pairs(lab).map(async ({ from, address }) => {
      await expectPass(t, lab, from, address, 4470);
      await expectSilentFail(t, lab, from, address, 4471);
    }),
  );
  // Dropped by the exact nft cap (counters rose), not by a bridge MTU + 4 check.
  const rules = (await lab.exec('sw1', ['nft', 'list', 'table', 'bridge', 'ppcap'])).stdout;
  t.regex(rules, /ip length > 4470 counter packets [1-9]/);
  t.regex(rules, /ip6 length > 4430 counter packets [1-9]/);
});

test.serial('routerFragNeeded 4000: 4001 draws frag-needed / packet-too-big with mtu 4000, 4000 passes', async (t) => {
  const lab = await up(t, routerFragNeeded({ routerMtuBytes: 4000 }));
  await Promise.all(
    pairs(lab).map(async ({ from, address }) => {
      const v6 = address.includes(':');
      await lab.flushPmtuCaches();
      const tooBig = await ping(lab, from, address, 4001);
      t.false(tooBig.passed);
      t.regex(tooBig.output, v6 ? /Packet too big: mtu=4000/ : /Frag needed and DF set \(mtu = 4000\)/, tooBig.output);
      await lab.flushPmtuCaches();
      await expectPass(t, lab, from, address, 4000);
    }),
  );
});

test.serial('routerIcmpFiltered 4000: 4001 vanishes silently (L3 black hole), 4000 passes, nothing cached', async (t) => {
  const lab = await up(t, routerIcmpFiltered({ routerMtuBytes: 4000 }));
  await lab.flushPmtuCaches();
  await Promise.all(
    pairs(lab).map(async ({ from, address }) => {
      await expectSilentFail(t, lab, from, address, 4001);
      await expectPass(t, lab, from, address, 4000);
    }),
  );
  const h2 = lab.hosts.h2;
  if (!h2) throw new Error('no h2');
  const cached = await lab.exec('h1', ['ip', 'route', 'get', h2.v4]);
  t.notRegex(cached.stdout, /mtu/, cached.stdout);
});

test.serial('nicMismatch 9000/1500 strictRx: h1→h2 1501 and 1504 (veth +4) vanish, 1500 passes', async (t) => {
  const lab = await up(t, nicMismatch({ h1MtuBytes: 9000, h2MtuBytes: 1500 }));
  const h2 = lab.hosts.h2;
  if (!h2) throw new Error('no h2');
  t.is(h2.nicMtuBytes, 1500);
  t.is((await lab.exec('h2', ['cat', `/sys/class/net/${h2.dataNic}/mtu`])).stdout.trim(), '1500');
  await Promise.all(
    [h2.v4, h2.v6].map(async (address) => {
      await expectPass(t, lab, 'h1', address, 1500);
      await Promise.all([expectSilentFail(t, lab, 'h1', address, 1501), expectSilentFail(t, lab, 'h1', address, 1504)]);
    }),
  );
});

test.serial('asymmetric 4000/2000: each direction has its own cap (counted at the receiver)', async (t) => {
  const lab = await up(t, asymmetric({ forwardCapBytes: 4000, reverseCapBytes: 2000 }));
  const { h1, h2 } = lab.hosts;
  if (!h1 || !h2) throw new Error('no h1/h2');
  // h2's echo counter shows what arrived one way. h2→h1 pings do not touch it (h2 only gets replies),
  // so the reverse checks run alongside.
  const reverse = Promise.all(
    [h1.v4, h1.v6].map(async (address) => {
      await expectPass(t, lab, 'h2', address, 2000);
      await expectSilentFail(t, lab, 'h2', address, 2001);
    }),
  );
  // A 4000 request reaches h2 though the 4000 reply dies on the 2000 way back.
  const before = await icmpInEchos(lab, 'h2');
  await Promise.all([expectSilentFail(t, lab, 'h1', h2.v4, 4000), expectSilentFail(t, lab, 'h1', h2.v6, 4000)]);
  const mid = await icmpInEchos(lab, 'h2');
  t.is(mid.v4 - before.v4, 2);
  t.is(mid.v6 - before.v6, 2);
  await Promise.all([expectSilentFail(t, lab, 'h1', h2.v4, 4001), expectSilentFail(t, lab, 'h1', h2.v6, 4001)]);
  const after = await icmpInEchos(lab, 'h2');
  t.deepEqual(after, mid, '4001 must never reach h2');
  await reverse;
});

test.serial('lossyCap and rateLimited: loss rule, cap and tbf are in place', async (t) => {
  const lossy = await up(t, lossyCap({ capBytes: 4470, lossPercent: 2 }));
  const h2 = lossy.hosts.h2;
  if (!h2) throw new Error('no h2');
  t.regex((await lossy.exec('sw1', ['nft', 'list', 'table', 'bridge', 'pploss'])).stdout, /numgen random mod 10000 < 200/);
  await expectPass(t, lossy, 'h1', h2.v4, 4470, 5);
  await expectSilentFail(t, lossy, 'h1', h2.v4, 4471);
  const shaped = await up(t, rateLimited({ rateMbit: 500 }));
  for (const port of ['to-h1', 'to-h2']) {
    t.regex((await shaped.exec('sw1', ['tc', 'qdisc', 'show', 'dev', port])).stdout, /tbf .*rate 500Mbit/);
  }
});

test.serial('management net: ctl reaches every mgmt0, not the data plane; only benchmarking addresses exist', async (t) => {
  const lab = await up(t, routerFragNeeded({ routerMtuBytes: 4000 }));
  for (const host of Object.values(lab.hosts)) {
    const r = await lab.exec('ctl', ['ping', '-c', '1', '-W', '1', host.mgmtAddress]);
    t.is(r.exitCode, 0, r.stdout + r.stderr);
    const data = await lab.exec('ctl', ['ping', '-c', '1', '-W', '1', host.v4]);
    t.not(data.exitCode, 0, 'the controller must have no data-plane route');
  }
  t.is(lab.netnsOf('ctl'), lab.controllerNetns);
  for (const netns of lab.namespaces) {
    const node = netns.slice(netns.indexOf('-') + 1);
    const addrs = JSON.parse((await lab.exec(node, ['ip', '-j', 'addr', 'show'])).stdout) as Array<{
      addr_info: Array<{ local: string }>;
    }>;
    for (const a of addrs.flatMap((d) => d.addr_info.map((i) => i.local))) {
      t.regex(a, /^(198\.1[89]\.\d+\.\d+|2001:2:0:[0-9a-f]+::[0-9a-f]+|127\.0\.0\.1|::1|fe80:.*)$/, `${netns}: ${a}`);
    }
    t.true(netns.length <= 15);
  }
});

test.serial('sendMtuLockBytes: the host itself refuses to send above the lock', async (t) => {
  const topo = silentCap({ capBytes: 9000 });
  const [h1, h2] = topo.hosts;
  if (!h1 || !h2) throw new Error('no hosts');
  const lab = await up(t, { ...topo, name: 'mtuLock', hosts: [{ ...h1, sendMtuLockBytes: 1500 }, h2] });
  const target = lab.hosts.h2;
  if (!target) throw new Error('no h2');
  await expectPass(t, lab, 'h1', target.v4, 1500);
  const local = await ping(lab, 'h1', target.v4, 1501);
  t.regex(local.output, /message too long, mtu=1500/);
  // The far side still takes jumbo: only h1's sending is locked.
  await expectPass(t, lab, 'h2', lab.hosts.h1?.v4 ?? '', 9000);
});

test.serial('down() kills spawned processes and removes every namespace; up with a fixed id is idempotent', async (t) => {
  // A fresh id, so a parallel run of this file never shares it.
  const id = newLabId();
  const lab = await labUp(silentCap({ capBytes: 4470 }), { id });
  t.teardown(() => lab.down());
  const again = await labUp(silentCap({ capBytes: 4470 }), { id });
  t.teardown(() => again.down());
  const sleeper = again.spawn('h1', ['sleep', '60']);
  const pid = sleeper.pid;
  t.truthy(pid);
  await again.down();
  await again.down();
  await sleeper.result;
  const left = await listNetns();
  t.deepEqual(left.filter((n) => again.namespaces.includes(n)), []);
  t.throws(() => process.kill(pid ?? 0, 0));
});

test.serial('cleanupStale removes a crashed lab and keeps a live one', async (t) => {
  const live = await up(t, silentCap({ capBytes: 4470 }));
  const crashed = await up(t, silentCap({ capBytes: 4470 }));
  // Simulate a crash: hand the lab to a process that has already exited.
  const dead = spawnSync('true');
  const tagPath = `${LAB_TAG_DIR}/${crashed.id}.json`;
  const tag = JSON.parse(readFileSync(tagPath, 'utf8')) as { ownerPid: number };
  tag.ownerPid = dead.pid ?? 999_999_999;
  writeFileSync(tagPath, JSON.stringify(tag));
  const report = await cleanupStale();
  // Other runs may have left stale labs too: check ours only.
  t.true(crashed.namespaces.every((n) => report.removedNetns.includes(n)));
  t.true(live.namespaces.every((n) => report.keptLiveNetns.includes(n)));
  const present = await listNetns();
  t.true(live.namespaces.every((n) => present.includes(n)));
  t.false(crashed.namespaces.some((n) => present.includes(n)));
});

