import test from 'ava';
import { fabric } from '../../scripts/lab/topologies.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { writeRackPlan } from '../helpers/rackPlan.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

const RACKS = 4;
const HOSTS_PER_RACK = 4;
const HOSTS = RACKS * HOSTS_PER_RACK;
const MESH_PAIRS = (HOSTS * (HOSTS - 1)) / 2;
const rackOf = (host: string) => Math.floor((Number(host.slice(1)) - 1) / HOSTS_PER_RACK) + 1;

test.serial('a fabric plan over 4 racks × 4 hosts behind 2 spines covers every ToR pair in far fewer pairs, and finds the capped uplink', async (t) => {
  t.timeout(600_000);
  const env = await labWithAgents(t, fabric({ racks: RACKS, hostsPerRack: HOSTS_PER_RACK, spines: 2, cappedUplink: { rack: 3, spine: 2, capBytes: 1500 } }));
  const files = await writeRackPlan(env.lab, env.agents, 'tests: [pmtu]\npairs: fabric\n', (host) => `lf${rackOf(host)}`);
  t.teardown(() => files.remove());
  const result = await env.agents.cli(['run', files.planPath, '--db', files.dbPath, '--json'], { timeoutMs: 480_000 });
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  t.regex(result.stderr, /plan: fabric sample: \d+ pairs/);
  t.regex(result.stderr, new RegExp(`full mesh would be: ${MESH_PAIRS} pairs, .* \\(the sample tests \\d+ % of its pairs\\)`));

  const pairs: any[] = report.pairs;
  t.true(pairs.length < MESH_PAIRS / 2, `${pairs.length} pairs instead of ${MESH_PAIRS}`);
  const across = pairs.filter((p) => rackOf(p.pair.a.agent) !== rackOf(p.pair.b.agent));
  t.is(pairs.length - across.length, RACKS * (HOSTS_PER_RACK * (HOSTS_PER_RACK - 1)) / 2, 'the full mesh within every rack');
  t.is(new Set(across.map((p) => [rackOf(p.pair.a.agent), rackOf(p.pair.b.agent)].sort().join('-'))).size, (RACKS * (RACKS - 1)) / 2, 'every ToR pair');
  t.is(new Set(across.flatMap((p) => [p.pair.a.agent, p.pair.b.agent])).size, HOSTS, 'every host across ToRs');

  // Only flows of rack 3 hashed onto sp2 cross the capped uplink.
  for (const p of pairs) {
    const viaCap = (rackOf(p.pair.a.agent) === 3) !== (rackOf(p.pair.b.agent) === 3);
    for (const d of [p.pmtu.forward, p.pmtu.reverse]) {
      t.is(d.pathMtu, viaCap ? 1500 : 9000, `${p.pair.id} ${d.direction}`);
      if (viaCap) t.true(d.flows.multipath, `${p.pair.id}: some flows take sp1 and pass`);
    }
  }
  const hops = report.findings.filter((f: any) => f.kind === 'culprit-switch' && f.scope.startsWith('hop='));
  t.log(hops.map((f: any) => `${f.title}\n  ${f.explanation}`).join('\n'));
  t.true(hops.length >= 1, 'the capped uplink is named');
  for (const f of hops) {
    t.true(f.evidence.pairs.every((id: string) => id.split('~').some((end) => rackOf(end.split('/')[0]!) === 3)), `${f.scope}: only pairs of rack 3`);
  }
});
