import test from 'ava';
import type { ExecutionContext } from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Lab, LabHostNic } from '../../scripts/lab/lab.js';
import { planLab } from '../../scripts/lab/labPlan.js';
import { labUp } from '../../scripts/lab/labUp.js';
import { cleanPath, nicMismatch, twoRails } from '../../scripts/lab/topologies.js';
import type { Topology } from '../../scripts/lab/topology.js';
import { ICMP_HINT, ping } from '../helpers/dfPing.js';
import { parseLldpctl } from '../../agent/nic/parseLldpctl.js';

/** One neighbour as these tests check it: the local interface it was heard on, the switch and its port. */
interface LldpNeighbour {
  localIf: string;
  systemName: string | undefined;
  portId: string | undefined;
  portDescr: string | undefined;
}

/** Through the agent's own parser of `lldpctl -f json`. */
function lldpNeighbours(jsonText: string): LldpNeighbour[] {
  return [...parseLldpctl(jsonText)].flatMap(([localIf, list]) => list.map((n) => ({
    localIf, systemName: n.systemName ?? undefined, portId: n.portId ?? undefined, portDescr: n.portDescription ?? undefined,
  })));
}
import { FIXTURES } from '../helpers/repoPaths.js';

// Real namespaces and real lldpd: needs root, never skipped (CI runs as root).

/** lldpd sends every second (labLldpd.ts); a neighbour shows within about one interval. */
const NEIGHBOURS_TIMEOUT_MS = 10_000;

async function up(t: ExecutionContext, topology: Topology): Promise<Lab> {
  const lab = await labUp(topology);
  t.teardown(() => lab.down());
  t.log(`${topology.name}: lab ${lab.id} up in ${lab.buildMs} ms`);
  return lab;
}

function nicsOf(lab: Lab, host: string): LabHostNic[] {
  const h = lab.hosts[host];
  if (!h) throw new Error(`no host ${host}`);
  return h.nics;
}

async function neighboursOf(lab: Lab, node: string): Promise<LldpNeighbour[]> {
  const socket = lab.lldpSocketOf(node);
  if (socket === null) throw new Error(`${node} runs no lldpd`);
  const r = await lab.exec(node, ['lldpctl', '-u', socket, '-f', 'json']);
  if (r.exitCode !== 0) throw new Error(`lldpctl in ${node}: ${r.stderr}`);
  return lldpNeighbours(r.stdout);
}

/**
 * Polls until each of the node's interfaces has heard at least one neighbour, or the deadline
 * passes: a first LLDPDU sent before the far lldpd listened is lost, the next one comes 1 s later.
 */
async function waitForNeighbours(lab: Lab, node: string, ifNames: string[]): Promise<LldpNeighbour[]> {
  const deadline = Date.now() + NEIGHBOURS_TIMEOUT_MS;
  for (;;) {
    const seen = await neighboursOf(lab, node);
    if (ifNames.every((ifName) => seen.some((s) => s.localIf === ifName)) || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function pingsVia(lab: Lab, from: string, dev: string, address: string): Promise<boolean> {
  const r = await lab.exec(from, ['ping', address.includes(':') ? '-6' : '-4', '-I', dev, '-c', '1', '-W', '1', address], { timeoutMs: 5_000 });
  return r.exitCode === 0;
}

test('a twoRails host has eth0 on tora (segment 1) and eth1 on torb (segment 2), both at the NIC MTU, and no routes', (t) => {
  const plan = planLab(twoRails({ hosts: 4, nicMtuBytes: 9000 }));
  const h3 = plan.hosts.find((h) => h.spec.name === 'h3');
  t.deepEqual(
    h3?.nics.map((n) => [n.ifName, n.v4, n.v6, n.mtuBytes, n.switchNode]),
    [
      ['eth0', '198.18.1.3', '2001:2:0:1::3', 9000, 'tora'],
      ['eth1', '198.18.2.3', '2001:2:0:2::3', 9000, 'torb'],
    ],
  );
  t.is(h3?.dataNic, h3?.nics[0]);
  t.is(h3?.switchNode, 'tora');
  t.deepEqual([...plan.routes.values()].flat(), []);
  t.deepEqual(plan.lldpNodes, ['h1', 'h2', 'h3', 'h4', 'tora', 'torb']);
});

test('twoRails with capHost caps only torb\'s port toward that host, both directions', (t) => {
  const caps = planLab(twoRails({ hosts: 3, capHost: 'h2', capBytes: 1500 })).links.flatMap((l) => (l.cap ? [l.cap] : []));
  t.deepEqual(caps, [{ switchNode: 'torb', portIfName: 'to-h2', capBytes: 1500, direction: 'both' }]);
  t.throws(() => twoRails({ hosts: 2, capHost: 'h3' }), { message: /capHost "h3"/ });
});

test('single-NIC topologies keep one NIC, eth0, which is the data NIC, and run no lldpd', (t) => {
  for (const topology of [cleanPath(), nicMismatch()]) {
    const plan = planLab(topology);
    for (const h of plan.hosts) t.deepEqual(h.nics, [h.dataNic]);
    t.deepEqual(plan.lldpNodes, []);
  }
});

test('lldp.nodes may name only hosts and switches', (t) => {
  t.throws(() => planLab({ ...cleanPath(), lldp: { nodes: ['h1', 'mgsw'] } }), { message: /lldp\.nodes names "mgsw"/ });
  t.deepEqual(planLab({ ...cleanPath(), lldp: { nodes: ['sw1', 'h2'] } }).lldpNodes, ['h2', 'sw1']);
});

test('the captured lldpctl output reads as the neighbours it was captured with', (t) => {
  const read = (name: string): LldpNeighbour[] => lldpNeighbours(readFileSync(join(FIXTURES, 'lldp', name), 'utf8'));
  t.deepEqual(read('lldpctl-two-rails.json'), [
    { localIf: 'eth0', systemName: 'tora', portId: 'to-h1', portDescr: 'h1 eth0' },
    { localIf: 'eth1', systemName: 'torb', portId: 'to-h1', portDescr: 'h1 eth1' },
  ]);
  t.deepEqual(read('lldpctl-no-neighbour.json'), [{ localIf: 'eth0', systemName: 'tora', portId: 'to-h1', portDescr: 'h1 eth0' }]);
  t.deepEqual(read('lldpctl-no-neighbours-at-all.json'), []);
});

test.serial('each host NIC sees exactly its own switch as LLDP neighbour, named by the port toward that host', async (t) => {
  const lab = await up(t, twoRails({ hosts: 4 }));
  t.is(lab.lldpSocketOf('mgsw'), null);
  for (const host of Object.keys(lab.hosts)) {
    const seen = await waitForNeighbours(lab, host, nicsOf(lab, host).map((n) => n.ifName));
    t.deepEqual(
      seen.map((n) => [n.localIf, n.systemName, n.portId, n.portDescr]),
      [
        ['eth0', 'tora', `to-${host}`, `${host} eth0`],
        ['eth1', 'torb', `to-${host}`, `${host} eth1`],
      ],
      `${host}: ${JSON.stringify(seen)}`,
    );
  }
  // The switch hears each host once per port, never a host's other rail (bridges drop LLDP frames).
  const hosts = Object.keys(lab.hosts);
  const atTorb = await waitForNeighbours(lab, 'torb', hosts.map((h) => `to-${h}`));
  t.deepEqual(atTorb.map((n) => [n.localIf, n.systemName]).sort(), hosts.map((h) => [`to-${h}`, h]));
});

test.serial('the rails are not routed: h1 reaches h2 on each rail, never across', async (t) => {
  const lab = await up(t, twoRails({ hosts: 2 }));
  const [a1, b1] = nicsOf(lab, 'h1');
  const [a2, b2] = nicsOf(lab, 'h2');
  if (!a1 || !b1 || !a2 || !b2) throw new Error('twoRails hosts lack two NICs');
  for (const family of ['v4', 'v6'] as const) {
    t.true(await pingsVia(lab, 'h1', a1.ifName, a2[family]), `h1 ${a1.ifName} → h2 ${a2[family]} (rail a)`);
    t.true(await pingsVia(lab, 'h1', b1.ifName, b2[family]), `h1 ${b1.ifName} → h2 ${b2[family]} (rail b)`);
    t.false(await pingsVia(lab, 'h1', a1.ifName, b2[family]), `h1 ${a1.ifName} → h2 ${b2[family]} crossed rails`);
    t.false(await pingsVia(lab, 'h1', b1.ifName, a2[family]), `h1 ${b1.ifName} → h2 ${a2[family]} crossed rails`);
  }
});

test.serial('a capped torb port drops a DF packet above the cap toward capHost on rail b, while rail a carries it', async (t) => {
  const lab = await up(t, twoRails({ hosts: 2, capHost: 'h2', capBytes: 1500, lldp: false }));
  const [a2, b2] = nicsOf(lab, 'h2');
  if (!a2 || !b2) throw new Error('twoRails hosts lack two NICs');
  for (const family of ['v4', 'v6'] as const) {
    const railB = await ping(lab, 'h1', b2[family], 1501);
    t.false(railB.passed, `1501 B to h2 ${b2[family]} (rail b) should vanish:\n${railB.output}`);
    t.notRegex(railB.output, ICMP_HINT, 'the cap is silent');
    t.true((await ping(lab, 'h1', b2[family], 1500)).passed, `1500 B to h2 ${b2[family]} (rail b) passes`);
    t.true((await ping(lab, 'h1', a2[family], 9000)).passed, `9000 B to h2 ${a2[family]} (rail a) passes`);
  }
});

test.serial('down() stops every lldpd of the lab and removes their sockets', async (t) => {
  const lab = await up(t, twoRails({ hosts: 1 }));
  const socket = lab.lldpSocketOf('h1');
  if (socket === null) throw new Error('h1 runs no lldpd');
  // lldpd rewrites its command line ("lldpd: monitor."), so it is found by namespace and name.
  // A zombie is gone too: lldpd's worker, orphaned when its monitor exits, waits for init to reap it.
  const comm = (pid: string): string | undefined => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return / Z /.test(stat.slice(stat.lastIndexOf(')'))) ? undefined : readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined; // gone
    }
  };
  const pids: string[] = [];
  for (const node of ['h1', 'tora', 'torb']) {
    const listed = (await lab.exec(node, ['ip', 'netns', 'pids', lab.netnsOf(node)])).stdout.split(/\s+/).filter(Boolean);
    pids.push(...listed.filter((pid) => comm(pid) === 'lldpd'));
  }
  t.true(pids.length >= 3, `h1, tora and torb each run an lldpd: ${pids.join(', ')}`);
  await lab.down();
  t.deepEqual(pids.filter((pid) => comm(pid) === 'lldpd'), []);
  t.false(existsSync(dirname(socket)));
});
