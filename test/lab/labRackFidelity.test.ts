import test from 'ava';
import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import type { Lab, LabHost } from '../../scripts/lab/lab.js';
import { planLab } from '../../scripts/lab/labPlan.js';
import { LAB_TAG_DIR } from '../../scripts/lab/labOwnerTag.js';
import { labUp } from '../../scripts/lab/labUp.js';
import { listNetns } from '../../scripts/lab/removeNamespaces.js';
import { manyHosts, rack, rackSwitchOf, silentCap } from '../../scripts/lab/topologies.js';
import type { Topology } from '../../scripts/lab/topology.js';
import { ICMP_HINT, ping } from '../helpers/dfPing.js';

// Rack-sized labs for the commissioning tests and the benchmark: real packets, needs root.


async function expectPass(t: ExecutionContext, lab: Lab, from: string, address: string, sizeBytes: number): Promise<void> {
  const r = await ping(lab, from, address, sizeBytes);
  t.true(r.passed, `${from} → ${address} at ${sizeBytes} B should pass:\n${r.output}`);
}

async function expectSilentFail(t: ExecutionContext, lab: Lab, from: string, address: string, sizeBytes: number): Promise<void> {
  const r = await ping(lab, from, address, sizeBytes);
  t.false(r.passed, `${from} → ${address} at ${sizeBytes} B should fail:\n${r.output}`);
  t.notRegex(r.output, ICMP_HINT, `${from} → ${address} at ${sizeBytes} B should fail silently`);
}

function host(lab: Lab, name: string): LabHost {
  const h = lab.hosts[name];
  if (!h) throw new Error(`no host ${name} in lab ${lab.id}`);
  return h;
}

async function up(t: ExecutionContext, topology: Topology): Promise<Lab> {
  const lab = await labUp(topology);
  t.teardown(() => lab.down());
  t.log(`${topology.name}: lab ${lab.id} (${lab.namespaces.length} namespaces) up in ${lab.buildMs} ms`);
  return lab;
}

/** down(), then nothing of the lab may be left: namespaces, owner tag, processes inside. */
async function downAndCheckGone(t: ExecutionContext, lab: Lab): Promise<void> {
  const startedMs = Date.now();
  await lab.down();
  t.log(`lab ${lab.id} down in ${Date.now() - startedMs} ms`);
  const present = await listNetns();
  t.deepEqual(present.filter((n) => lab.namespaces.includes(n)), []);
  t.false(existsSync(`${LAB_TAG_DIR}/${lab.id}.json`));
}

test('rack plan: one segment across tor1 and tor2, the cap on tor2’s uplink port, switch labels', (t) => {
  const topo = rack({ hosts: 6 });
  const plan = planLab(topo);
  t.is(plan.hosts.length, 7);
  t.deepEqual(
    plan.hosts.map((h) => [h.spec.name, h.dataNic.v4, h.switchNode]),
    [1, 2, 3, 4, 5, 6, 7].map((n) => [`h${n}`, `198.18.1.${n}`, n <= 6 ? 'tor1' : 'tor2']),
  );
  t.deepEqual(plan.hosts.map((h) => h.dataNic.v6), [1, 2, 3, 4, 5, 6, 7].map((n) => `2001:2:0:1::${n}`));
  const caps = plan.links.flatMap((l) => (l.cap ? [l.cap] : []));
  t.deepEqual(caps, [{ switchNode: 'tor2', portIfName: 'to-tor1', capBytes: 1500, direction: 'both' }]);
  t.is(rackSwitchOf(topo, 'h6'), 'tor1');
  t.is(rackSwitchOf(topo, 'h7'), 'tor2');
  t.throws(() => rackSwitchOf(topo, 'h9'));
  // Larger racks keep names ≤ 6 chars and hosts on the one /24.
  const big = planLab(rack({ hosts: 40, secondSwitchHosts: 8 }));
  t.is(big.hosts.at(-1)?.dataNic.v4, '198.18.1.48');
  t.is(big.hosts.at(-1)?.switchNode, 'tor2');

  // A switch–switch cap must say which switch applies it; capAt must name a switch end.
  const base = rack({ hosts: 1, secondSwitchHosts: 1 });
  const withUplink = (uplink: Topology['links'][number]): Topology => ({
    ...base,
    links: [...base.links.slice(0, -1), uplink],
  });
  t.throws(() => planLab(withUplink({ ends: ['tor1', 'tor2'], cap: { capBytes: 1500, direction: 'both' } })), {
    message: /needs capAt/,
  });
  t.throws(() => planLab(withUplink({ ends: ['tor1', 'tor2'], cap: { capBytes: 1500, direction: 'both' }, capAt: 'h1' })), {
    message: /capAt "h1" must name a switch end/,
  });
  t.throws(() => planLab(withUplink({ ends: ['tor1', 'tor2'], capAt: 'tor2' })), { message: /capAt without cap/ });
  // capAt 'tor1' puts the cap on tor1's port toward tor2 instead.
  const atTor1 = planLab(withUplink({ ends: ['tor1', 'tor2'], cap: { capBytes: 4000, direction: 'toHost' }, capAt: 'tor1' }));
  t.deepEqual(atTor1.links.find((l) => l.cap)?.cap, { switchNode: 'tor1', portIfName: 'to-tor2', capBytes: 4000, direction: 'toHost' });
  // Existing single-switch caps plan as before (capAt optional there).
  t.deepEqual(planLab(silentCap({ capBytes: 4470 })).links.find((l) => l.cap)?.cap, {
    switchNode: 'sw1',
    portIfName: 'to-h2',
    capBytes: 4470,
    direction: 'both',
  });
});

test.serial('rack 6+1: tor1 pairs clean at 9000, pairs with h7 silent-drop above 1500, mgmt reaches all', async (t) => {
  const topo = rack({ hosts: 6 });
  const lab = await up(t, topo);
  const [h1, h2, h3, h7] = [host(lab, 'h1'), host(lab, 'h2'), host(lab, 'h3'), host(lab, 'h7')];
  t.is(Object.keys(lab.hosts).length, 7);
  t.deepEqual(Object.values(lab.hosts).map((h) => h.switch), ['tor1', 'tor1', 'tor1', 'tor1', 'tor1', 'tor1', 'tor2']);
  t.true(lab.namespaces.every((n) => n.length <= 15));
  t.is((await lab.exec('h7', ['cat', `/sys/class/net/${h7.dataNic}/mtu`])).stdout.trim(), '9000');

  await Promise.all([
    // tor1 ↔ tor1: clean at the NIC MTU, both families.
    expectPass(t, lab, 'h1', h2.v4, 9000),
    expectPass(t, lab, 'h1', h2.v6, 9000),
    expectPass(t, lab, 'h6', h1.v4, 9000),
    // Across the capped uplink: exactly 1500, then silence (no ICMP, no local error), v4 and v6.
    ...[
      { from: 'h1', address: h7.v4 },
      { from: 'h1', address: h7.v6 },
      { from: 'h7', address: h3.v4 },
      { from: 'h7', address: h3.v6 },
    ].map(async ({ from, address }) => {
      await expectPass(t, lab, from, address, 1500);
      await expectSilentFail(t, lab, from, address, 1501);
    }),
    // Management: ctl reaches every host's mgmt0.
    ...Object.values(lab.hosts).map(async (h) => {
      const r = await lab.exec('ctl', ['ping', '-c', '1', '-W', '2', h.mgmtAddress]);
      t.is(r.exitCode, 0, `ctl → ${h.name} ${h.mgmtAddress}:\n${r.stdout}${r.stderr}`);
    }),
  ]);
  // The drops are tor2's exact nft cap on its uplink port (counters rose), nowhere else.
  const rules = (await lab.exec('tor2', ['nft', 'list', 'table', 'bridge', 'ppcap'])).stdout;
  t.regex(rules, /oifname "to-tor1" ip length > 1500 counter packets [1-9]/);
  t.regex(rules, /iifname "to-tor1" ip length > 1500 counter packets [1-9]/);
  t.regex(rules, /oifname "to-tor1" ip6 length > 1460 counter packets [1-9]/);
  t.regex(rules, /iifname "to-tor1" ip6 length > 1460 counter packets [1-9]/);
  t.false((await lab.exec('tor1', ['nft', 'list', 'tables'])).stdout.includes('ppcap'));
  await downAndCheckGone(t, lab);
});

test.serial('manyHosts 16: comes up, h1 reaches h16 at 9000, mgmt reaches h16; down leaves nothing', async (t) => {
  const lab = await up(t, manyHosts({ hosts: 16 }));
  t.is(Object.keys(lab.hosts).length, 16);
  t.is(lab.namespaces.length, 16 + 3);
  const h16 = host(lab, 'h16');
  t.is(h16.v4, '198.18.1.16');
  t.is(h16.mgmtAddress, '198.19.0.16');
  t.is(h16.switch, 'sw1');
  await Promise.all([
    expectPass(t, lab, 'h1', h16.v4, 9000),
    expectPass(t, lab, 'h1', h16.v6, 9000),
    (async () => {
      const r = await lab.exec('ctl', ['ping', '-c', '1', '-W', '2', h16.mgmtAddress]);
      t.is(r.exitCode, 0, r.stdout + r.stderr);
    })(),
  ]);
  // A process left inside must not keep anything alive: down() kills it first.
  const sleeper = lab.spawn('h16', ['sleep', '60']);
  await downAndCheckGone(t, lab);
  await sleeper.result;
  t.throws(() => process.kill(sleeper.pid ?? 0, 0));
});
