import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twoRails } from '../../scripts/lab/topologies.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

/*
 * A rack of 4 hosts on two rails (eth0 on tora, eth1 on torb, not routed to each other), lldpd on
 * every host and switch, torb's port toward h2 silently capped at 1500. The plan names both NICs
 * of every host, v4 and v6, and gives no labels but one wrong one: h3's eth1 is said to be on tora.
 */
test.serial('a two-rail rack: in-rail pairs only, the culprit named by LLDP switch and port, per-NIC roll-up, a cabling check, v4 and v6', async (t) => {
  t.timeout(300_000);
  const env = await labWithAgents(t, twoRails({ hosts: 4, capHost: 'h2', capBytes: 1500 }));
  const { lab, agents } = env;
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-rails-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lines = [`tokenFile: ${agents.tokenFile}`, 'agents:'];
  for (const name of ['h1', 'h2', 'h3', 'h4']) {
    const nics = lab.hosts[name]!.nics;
    const addresses = nics.flatMap((nic) => [nic.v4, nic.v6]).map((address) => (name === 'h3' && nic1(address) ? `{ address: "${address}", labels: { switch: tora } }` : `"${address}"`));
    lines.push(`  - { name: ${name}, url: "${agents.urls[name]}", addresses: [${addresses.join(', ')}] }`);
  }
  const planPath = join(dir, 'rails.yaml');
  await writeFile(planPath, `${lines.join('\n')}\ntests: [pmtu]\n`);
  const result = await agents.cli(['run', planPath, '--db', join(dir, 'db.sqlite'), '--json'], { timeoutMs: 240_000 });
  t.is(result.exitCode, 1, result.stderr);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.run/v1', report);

  // In-rail only: 6 host pairs × 2 rails × 2 families, never eth0 with eth1.
  t.is(report.pairs.length, 24);
  for (const p of report.pairs) {
    t.is(nic1(p.pair.a.address), nic1(p.pair.b.address), `${p.pair.id} stays on one rail`);
    const capped = nic1(p.pair.a.address) && (p.pair.a.agent === 'h2' || p.pair.b.agent === 'h2');
    for (const d of [p.pmtu.forward, p.pmtu.reverse]) t.is(d.pathMtu, capped ? 1500 : 9000, p.pair.id);
  }

  // The culprit, with no hand-written switch label for h2: from the wire.
  const culprits = report.findings.filter((f: any) => f.kind === 'culprit-switch');
  t.log(culprits.map((f: any) => f.title).join('\n'));
  t.is(culprits.length, 1, JSON.stringify(culprits.map((f: any) => f.scope)));
  t.is(culprits[0].title, 'switch torb, port to-h2 silently drops frames above 1518 bytes (IP MTU 1500)');
  t.deepEqual(culprits[0].evidence.endpoints.sort(), [`h2/${lab.hosts.h2!.nics[1]!.v4}`, `h2/${lab.hosts.h2!.nics[1]!.v6}`].sort());

  // The cabling check: h3's eth1 hears torb, the plan says tora.
  const cabling = report.findings.filter((f: any) => f.kind === 'expectation' && /cabled/.test(f.title));
  t.deepEqual(cabling.map((f: any) => f.title), ['h3 NIC eth1 is cabled to torb to-h3, the plan says tora']);

  // Per-NIC roll-up: torb holds h2's failing rail-b pairs; tora only those that h3's wrong label
  // puts there (h2~h3 on rail b, v4 and v6, both ways): the roll-up follows the plan, and the
  // cabling finding says the plan is wrong.
  const label = (scope: string) => report.rollup.labels.find((l: any) => l.scope === scope);
  t.is(label('switch=tora')?.tally.counts['silent-drop'], 4);
  t.is(label('switch=torb')?.tally.counts['silent-drop'], 12, 'h2 with h1, h3 and h4 on rail b, v4 and v6, both ways');
  t.is(report.facts.h1.lldp.available, true);
  t.is(report.facts.h1.nics.find((n: any) => n.name === 'eth1').lldpNeighbours[0].systemName, 'torb');

  function nic1(address: string): boolean {
    return address.startsWith('198.18.2.') || address.startsWith('2001:2:0:2::');
  }
});
