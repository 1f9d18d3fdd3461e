import test from 'ava';
import type { NicFacts } from '../../proto/agentFacts.js';
import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import type { PathMtuEnd } from '../../controller/pmtu/measurePathMtu.js';
import { pmtuReport } from '../../controller/pmtu/pmtuReport.js';
import { planPairs } from '../../controller/schedule/planPairs.js';
import { rollUp } from '../../controller/aggregate/rollup.js';
import type { Pair } from '../../controller/model/pair.js';
import { pairDirections } from '../../controller/model/pairDirections.js';
import type { PlanAgent } from '../../controller/model/plan.js';
import type { PairResult } from '../../controller/model/runReport.js';
import { worstVerdict } from '../../controller/model/verdicts.js';
import { labelGroups } from '../../controller/plan/labelGroups.js';

// The same rack as the culprit tests: h1..h6 on tor-1, h7 behind tor-2 capping silently at 1500.
type PathCase = { kind: 'ok' } | { kind: 'silent'; mtu: number } | { kind: 'icmp'; mtu: number; from: string };
const nic = (address: string, mtuBytes: number): NicFacts =>
  ({ name: 'ens1f0', mtuBytes, addresses: [`${address}/24`], macAddress: null, speedMbps: 25_000, driver: 'mlx5_core', operState: 'up' });
const end = (agent: string, address: string): PathMtuEnd => ({ name: agent, url: null, address, facts: null, nic: nic(address, 9000) });
function sweep(from: string, to: string, path: PathCase): PmtuSweepResult {
  const largest = path.kind === 'ok' ? 9000 : path.mtu;
  return {
    v: 1, mode: 'peer', family: 4, sourceAddress: from, targetAddress: to, device: 'ens1f0', deviceMtuBytes: 9000,
    reachable: true, largestOkBytes: largest, smallestFailBytes: largest + 1,
    failEvidence: { silent: path.kind === 'silent' ? 3 : 0, icmp: path.kind === 'icmp' ? 1 : 0, local: path.kind === 'ok' ? 1 : 0, sendError: 0 },
    complete: true, icmpHints: path.kind === 'icmp' ? [{ from: path.from, mtuBytes: path.mtu, probeBytes: path.mtu + 1 }] : [],
    probes: [], probesSent: 14, rounds: 3, timeoutMs: 250, lossEstimate: 0, elapsedMs: 620,
  };
}
function measured(pair: Pair, forward: PathCase, reverse: PathCase | null): PairResult {
  const pmtu = pmtuReport({
    mode: 'peer', from: end(pair.a.agent, pair.a.address), to: end(pair.b.agent, pair.b.address),
    forward: { ok: true, sweep: sweep(pair.a.address, pair.b.address, forward) },
    reverse: reverse === null ? null : { ok: true, sweep: sweep(pair.b.address, pair.a.address, reverse) },
  });
  return { pair, pmtu, pmtuError: null, cells: [], throughput: null };
}
const OK: PathCase = { kind: 'ok' };
const S1500: PathCase = { kind: 'silent', mtu: 1500 };

function rack() {
  const agents: PlanAgent[] = Array.from({ length: 7 }, (_, k) => ({
    name: `h${k + 1}`, url: `https://h${k + 1}.mgmt:7070`, addresses: [`198.18.12.${k + 1}`],
    labels: { rack: 'r12', switch: k === 6 ? 'tor-2' : 'tor-1' },
  }));
  const pairs = planPairs(new Map(agents.map((a) => [a.name, a.addresses as string[]])), agents.map((a) => a.name));
  const results = pairs.map((p) => (p.b.agent === 'h7' ? measured(p, S1500, S1500) : measured(p, OK, OK)));
  return { agents, results };
}

test('worst verdict order: unreachable/error > silent-drop > frag-needed > mtu-mismatch > ok', (t) => {
  t.is(worstVerdict(['ok', 'mtu-mismatch', 'ok']), 'mtu-mismatch');
  t.is(worstVerdict(['mtu-mismatch', 'frag-needed']), 'frag-needed');
  t.is(worstVerdict(['frag-needed', 'silent-drop', 'ok']), 'silent-drop');
  t.is(worstVerdict(['silent-drop', 'error']), 'error');
  t.is(worstVerdict(['error', 'unreachable', 'silent-drop']), 'unreachable', 'same rank: unreachable is named');
  t.is(worstVerdict([]), null);
});

test('roll-up of rack 12: per pair, NIC, host and label value', (t) => {
  const { agents, results } = rack();
  const r = rollUp(results, agents);
  t.is(r.total.pairs, 21);
  t.is(r.total.directions, 42);
  t.is(r.total.counts.ok, 30);
  t.is(r.total.counts['silent-drop'], 12);
  t.is(r.total.worst, 'silent-drop');

  const p17 = r.pairs.find((p) => p.pairId === 'h1/198.18.12.1~h7/198.18.12.7')!;
  t.like(p17, { forward: 'silent-drop', reverse: 'silent-drop', worst: 'silent-drop' });
  t.like(r.pairs[0], { pairId: 'h1/198.18.12.1~h2/198.18.12.2', forward: 'ok', reverse: 'ok', worst: 'ok' });

  t.deepEqual(r.hosts.map((h) => h.agent), ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']);
  const h7 = r.hosts.find((h) => h.agent === 'h7')!;
  t.like(h7.tally, { pairs: 6, directions: 12, worst: 'silent-drop' });
  t.is(h7.tally.counts['silent-drop'], 12);
  t.deepEqual(h7.labels, { rack: 'r12', switch: 'tor-2' });
  const h1 = r.hosts[0]!;
  t.is(h1.tally.counts.ok, 10);
  t.is(h1.tally.counts['silent-drop'], 2);
  t.is(h1.tally.worst, 'silent-drop');

  t.is(r.nics.length, 7);
  t.like(r.nics.find((n) => n.endpoint === 'h7/198.18.12.7'), { agent: 'h7', address: '198.18.12.7' });

  t.deepEqual(r.labels.map((l) => l.scope), ['rack=r12', 'switch=tor-1', 'switch=tor-2']);
  const [rackR12, tor1, tor2] = r.labels as [typeof r.labels[0], typeof r.labels[0], typeof r.labels[0]];
  t.like(rackR12.tally, { pairs: 21, worst: 'silent-drop' });
  t.is(rackR12.crossing.pairs, 0);
  t.like(tor1.within, { pairs: 15, worst: 'ok' });
  t.like(tor1.crossing, { pairs: 6, worst: 'silent-drop' });
  t.deepEqual(tor2.agents, ['h7']);
  t.like(tor2.crossing, { pairs: 6, directions: 12, worst: 'silent-drop' });
  t.is(tor2.within.pairs, 0);
});

test('directions: an error pair counts both directions as error; an echo sweep has no reverse', (t) => {
  const { agents, results } = rack();
  results[0] = { ...results[0]!, pmtu: null, pmtuError: { code: 'ERR_AGENT_UNREACHABLE', message: 'h2: connect ETIMEDOUT' } };
  results[1] = measured(results[1]!.pair, { kind: 'icmp', mtu: 4000, from: '198.18.99.1' }, null);
  t.deepEqual(pairDirections(results[0]!).map((d) => d.verdict), ['error', 'error']);
  t.deepEqual(pairDirections(results[1]!).map((d) => [d.direction, d.verdict, d.pathMtu]), [['forward', 'frag-needed', 4000]]);
  const r = rollUp(results, agents);
  t.like(r.pairs[0], { forward: 'error', reverse: 'error', worst: 'error' });
  t.like(r.pairs[1], { forward: 'frag-needed', reverse: null, worst: 'frag-needed' });
  t.is(r.total.counts.error, 2);
  t.is(r.total.directions, 41);
  t.is(r.hosts.find((h) => h.agent === 'h2')!.tally.worst, 'error');

  const notRun: PairResult = { ...results[2]!, pmtu: null, pmtuError: null };
  t.deepEqual(pairDirections(notRun), [], 'no path MTU test: nothing to count');
});

test('label groups keep plan order; agents without a key are in no group of it', (t) => {
  const agents: PlanAgent[] = [
    { name: 'a', url: '', addresses: 'all', labels: { switch: 'tor-1' } },
    { name: 'b', url: '', addresses: 'all', labels: { rack: 'r1', switch: 'tor-2' } },
    { name: 'c', url: '', addresses: 'all', labels: { switch: 'tor-1' } },
  ];
  t.deepEqual(labelGroups(agents), [
    { key: 'switch', value: 'tor-1', scope: 'switch=tor-1', agents: ['a', 'c'] },
    { key: 'switch', value: 'tor-2', scope: 'switch=tor-2', agents: ['b'] },
    { key: 'rack', value: 'r1', scope: 'rack=r1', agents: ['b'] },
  ]);
});
