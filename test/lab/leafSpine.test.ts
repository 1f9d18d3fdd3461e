import test, { type ExecutionContext } from 'ava';
import { leafSpine } from '../../scripts/lab/topologies.js';
import { labWithAgents, type LabWithAgents } from '../helpers/pmtuInLab.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';
import { writeRackPlan } from '../helpers/rackPlan.js';

/*
 * A leaf-spine fabric with one faulty spine: h1 — lf1 ⇉ sp1, sp2 ⇉ lf2 — h2, all at 9000, flows
 * hashed over the spines by L4 5-tuple. What TCP sees depends on how the spine fails.
 */

async function throughputJson(t: ExecutionContext, { lab, agents }: LabWithAgents, family: 'v4' | 'v6') {
  const result = await agents.cli(['throughput', '--from', agents.urls.h1!, '--to', agents.urls.h2!,
    '--from-address', lab.hosts.h1![family], '--to-address', lab.hosts.h2![family], '--token-file', agents.tokenFile, '--json',
    '--streams', '8', '--duration', '2s', '--repeats', '1', '--direction', 'forward'], { timeoutMs: 150_000 });
  if (!result.stdout.trim().startsWith('{')) throw new Error(`no JSON (exit ${result.exitCode}): ${result.stderr.trim()}`);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.throughput/v1', report);
  const forward = report.matrix.directions[0];
  t.log(`${family}: ${forward.jumboVerdict.explanation}`);
  return { exitCode: result.exitCode, forward, rows: Object.fromEntries(forward.rows.map((r: any) => [r.row.row, r])) };
}

test.serial('a spine that silently drops above 1500 stalls only the streams hashed onto it, v4 and v6', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultCapBytes: 1500, faultIcmp: false }));
  for (const family of ['v4', 'v6'] as const) {
    const { exitCode, forward, rows } = await throughputJson(t, env, family);
    t.is(exitCode, 1);
    // 8 streams all on one of two spines: 2 × 2^-8.
    const jumbo = rows.jumbo.cells[0];
    t.true(jumbo.partialStall, `${family}: ${JSON.stringify(jumbo.stalledStreams)}`);
    t.true(jumbo.stalledStreams.stalled > 0 && jumbo.stalledStreams.stalled < 8, family);
    t.is(forward.jumboVerdict.stall, 'partial', family);
    t.false(rows['1500'].cells[0].stalled, `${family}: 1500-byte packets cross every spine`);
  }
});

test.serial('a spine that says frag-needed lets TCP adapt: no stream of either row stalls', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultCapBytes: 1500, faultIcmp: true }));
  const { forward, rows } = await throughputJson(t, env, 'v4');
  for (const cell of [...rows['1500'].cells, ...rows.jumbo.cells]) {
    t.false(cell.stalled, `${cell.row} P${cell.streams}: ${JSON.stringify(cell.stalledStreams)}`);
    t.is(cell.status, 'measured');
  }
  t.not(forward.jumboVerdict.verdict, 'jumbo-stalled');
});

async function pmtuJson(t: ExecutionContext, { lab, agents }: LabWithAgents, family: 'v4' | 'v6') {
  await lab.flushPmtuCaches();
  const result = await agents.cli(['pmtu', '--from', agents.urls.h1!, '--to', agents.urls.h2!,
    '--from-address', lab.hosts.h1![family], '--to-address', lab.hosts.h2![family], '--token-file', agents.tokenFile, '--json']);
  if (!result.stdout.trim().startsWith('{')) throw new Error(`no JSON (exit ${result.exitCode}): ${result.stderr.trim()}`);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.pmtu/v1', report);
  return { exitCode: result.exitCode, report };
}

/**
 * The faulty spine is the last router: lf1, lf2, sp1, … so router n answers from .(255 − n) (v4)
 * or ::(255 − n) (v6) on its segments (2 spines: sp2 = .251; 4 spines: sp4 = .249).
 */
const faultySpineHost = (spines: 2 | 4): number => 255 - (2 + spines);

/** Each direction: the safe path MTU, both flow classes with plausible shares, the words, and the spine named. */
function assertSplit(t: ExecutionContext, d: any, expectedFaultShare: number, verdict: string, label: string, spines: 2 | 4 = 2): void {
  t.log(`${label} ${d.direction}: ${d.flows?.classes.map((c: any) => `${c.pathMtuBytes} on ${Math.round(c.share * 100)} %`).join(', ')}`);
  t.is(d.verdict, verdict, label);
  t.is(d.pathMtu, 1500, `${label}: the size safe for any connection`);
  t.is(d.flows.probed, 23, label);
  t.regex(d.flows.rule, /^23 flows: a path carrying 1\/8 of them is missed/);
  t.true(d.flows.multipath, label);
  t.deepEqual(d.flows.classes.map((c: any) => c.pathMtuBytes), [1500, 9000], label);
  const faultShare = d.flows.classes[0].share;
  // Some flows always find the faulty spine (the rule: (7/8)^23 < 5 % for a 1/8 share, 0.1 % for 1/4),
  // and a binomial share over 23 flows stays below 2.2 × its expectation but for well under 1 in 1000.
  t.true(faultShare > 0 && faultShare < Math.min(0.95, expectedFaultShare * 2.2), `${label}: ${faultShare}`);
  t.regex(d.explanation, /1 of 2 flow classes \(\d+ % of 23 flows\)/);
  // Traced over each flow's own 5-tuple: only the failing flows cross the faulty spine, at hop 2.
  const split = d.flows.split;
  t.is(split?.kind, 'routed', `${label}: ${JSON.stringify(split)}`);
  const [first] = split.hops;
  t.is(first.hop, 2, label);
  t.is(first.addresses.length, 1, label);
  const spine = first.addresses[0];
  t.regex(spine, new RegExp(`^(198\\.18\\.\\d+\\.|2001:2:0:\\d+::)${faultySpineHost(spines)}$`), `${label}: the faulty spine, named`);
  t.true(d.explanation.includes(`every failing flow crosses ${spine} at hop 2`), label);
  t.true(d.advice.startsWith(`look at ${spine} (hop 2, the first router that only failing flows cross)`), label);
  t.is(split.failingFlows, d.flows.classes[0].flows, label);
}

test.serial('the path MTU of every ECMP path: a silent spine of two is found on its share of the flows, v4 and v6, run after run', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultIcmp: false }));
  for (const run of [1, 2]) {
    for (const family of ['v4', 'v6'] as const) {
      const { exitCode, report } = await pmtuJson(t, env, family);
      t.is(exitCode, 1);
      for (const d of [report.forward, report.reverse]) assertSplit(t, d, 0.5, 'silent-drop', `run ${run} ${family}`);
      t.regex(report.forward.explanation, /silently drops above 1500; the other carries 9000/);
    }
  }
});

test.serial('one spine of four: a quarter of the flows stop at 1500, and the safe path MTU says so', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 4, faultIcmp: false }));
  for (const run of [1, 2]) {
    const { report } = await pmtuJson(t, env, 'v4');
    for (const d of [report.forward, report.reverse]) assertSplit(t, d, 0.25, 'silent-drop', `run ${run}`, 4);
  }
});

test.serial('a spine that says frag-needed is named, on its share of the flows', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultIcmp: true }));
  const { report } = await pmtuJson(t, env, 'v4');
  const d = report.forward;
  assertSplit(t, d, 0.5, 'frag-needed', 'frag');
  // sp2 is router number 3 (lf1, lf2, sp1, sp2): .251 on its segments.
  t.regex(d.icmp.from, /^198\.18\.\d+\.251$/, 'the spine itself sends the frag-needed');
  t.regex(d.explanation, /must shrink their packets when the ICMP reaches them/);
});

test.serial('leaves that hash IPv6 on the flow label alone still spread the flows: each flow carries its own label', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultIcmp: false, ipv6Hash: 'flow-label' }));
  for (const run of [1, 2]) {
    const { report } = await pmtuJson(t, env, 'v6');
    for (const d of [report.forward, report.reverse]) {
      assertSplit(t, d, 0.5, 'silent-drop', `run ${run} flow-label hash`);
      const labels = new Set(d.flows.sweeps.map((f: any) => f.flowLabel));
      t.is(labels.size, 23, 'no two flows share a label');
    }
  }
});

test.serial('a run over two hosts per leaf names the faulty spine once for the run: the failing flows of every crossing pair meet there', async (t) => {
  t.timeout(300_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultIcmp: false, hostsPerLeaf: 2 }));
  // h1, h3 behind lf1; h2, h4 behind lf2.
  const leafOf = (host: string) => (Number(host.slice(1)) % 2 === 1 ? 'lf1' : 'lf2');
  const files = await writeRackPlan(env.lab, env.agents, 'tests: [pmtu]\npmtu: { flows: auto }\n', leafOf);
  t.teardown(() => files.remove());
  const result = await env.agents.cli(['run', files.planPath, '--db', files.dbPath, '--json'], { timeoutMs: 240_000 });
  t.is(result.exitCode, 1, result.stderr);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  for (const pair of report.pairs) {
    const crosses = leafOf(pair.pair.a.agent) !== leafOf(pair.pair.b.agent);
    for (const d of [pair.pmtu.forward, pair.pmtu.reverse]) {
      t.is(d.pathMtu, crosses ? 1500 : 9000, pair.pair.id);
      t.is(d.flows.multipath, crosses, pair.pair.id);
    }
  }
  const hops = report.findings.filter((f: any) => f.kind === 'culprit-switch' && f.scope.startsWith('hop='));
  t.log(hops.map((f: any) => `${f.title}\n    ${f.explanation}\n    fix: ${f.fix}`).join('\n'));
  // sp2 answers from the interface facing the sender: .251 on its lf1 segment (forward) and on its lf2 segment (reverse).
  t.is(hops.length, 1, JSON.stringify(hops.map((f: any) => f.scope)));
  for (const f of hops) {
    t.regex(f.scope, /^hop=198\.18\.\d+\.251,198\.18\.\d+\.251$/, 'its two addresses, one router');
    t.is(f.evidence.pairs.length, 4, 'every crossing pair, and no other');
    t.true(f.evidence.directions.every((d: any) => d.hop === 2 && d.failingPathMtu === 1500 && d.passingPathMtu === 9000));
  }
  t.false(report.findings.some((f: any) => f.kind === 'culprit-switch' && f.scope.startsWith('switch=')), 'no leaf is blamed: each leaf carries passing flows too');
});

test.serial('with 2 % random loss each way, every flow class is still byte-exact: 1500 and 9000, nothing in between, run after run', async (t) => {
  t.timeout(300_000);
  // 1 % on each leaf: every packet crosses both, so about 2 % each way and 4 % per round trip.
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultIcmp: false, lossPercent: 1 }));
  for (const [run, family] of [[1, 'v4'], [2, 'v6']] as const) {
    const { report } = await pmtuJson(t, env, family);
    for (const d of [report.forward, report.reverse]) {
      const label = `run ${run} ${family} ${d.direction}`;
      t.log(`${label}: ${d.flows.classes.map((c: any) => `${c.pathMtuBytes} on ${c.flows}`).join(', ')}; ${d.flows.sweeps.filter((f: any) => f.resweptFrom).length} reswept`);
      t.is(d.pathMtu, 1500, label);
      t.is(d.smallestFailBytes, 1501, label);
      t.deepEqual(d.flows.classes.map((c: any) => c.pathMtuBytes), [1500, 9000], `${label}: loss never makes a class of its own`);
      t.true(d.flows.sweeps.every((f: any) => f.complete), `${label}: every flow's boundary proved`);
    }
  }
  for (const leaf of ['lf1', 'lf2']) {
    const rules = await env.lab.exec(leaf, ['nft', 'list', 'table', 'inet', 'pploss']);
    const dropped = Number(/counter packets (\d+)/.exec(rules.stdout)?.[1] ?? 0);
    t.true(dropped > 0, `${leaf} really dropped packets: ${rules.stdout}`);
  }
});
