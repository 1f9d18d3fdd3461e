import test from 'ava';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { inRailMeshPairCount, plannedPairs } from '../../controller/plan/plannedPairs.js';
import type { Plan, PlanAgent } from '../../controller/model/plan.js';

/** Two NICs per host: rail a on 198.18.1.0/24 (and 2001:2:0:1::/64), rail b on 198.18.2.0/24. */
function twoRailFacts(host: number): AgentFactsResponse {
  const nic = (name: string, addresses: string[]) => ({ name, mtuBytes: 9000, addresses, macAddress: null, speedMbps: null, driver: null, operState: 'up' });
  return {
    v: 1, hostname: `h${host}`, agentVersion: '0.1.0', contractVersions: [1], kernel: '6.1', cpuCount: 1,
    nics: [nic('d0', [`198.18.1.${host}/24`, `2001:2:0:1::${host}/64`]), nic('d1', [`198.18.2.${host}/24`])],
  };
}

function planOf(agents: PlanAgent[], pairs?: Plan['pairs']): Plan {
  return {
    tokenFile: '/t', agents, expect: {}, tests: ['pmtu'], throughput: { streams: [1], durationMs: 1000, repeats: 1 },
    ...(pairs ? { pairs } : {}), concurrency: { pmtuParallel: 8, throughput: 'rounds' },
  };
}

const agent = (n: number, o: Partial<PlanAgent> = {}): PlanAgent => ({ name: `h${n}`, url: `http://198.19.0.${n}:7420`, addresses: 'all', labels: {}, ...o });
const facts = new Map([1, 2, 3].map((n) => [`h${n}`, twoRailFacts(n)]));
const ids = (plan: Plan, f = facts) => plannedPairs(plan, f).map((p) => p.id);

test('in-rail by default: on a two-rail rack only endpoints in one subnet pair up, IPv4 and IPv6', (t) => {
  const pairs = ids(planOf([agent(1), agent(2), agent(3)], 'in-rail'));
  t.is(pairs.length, 9, '3 pairs on rail a v4, 3 on rail a v6, 3 on rail b');
  t.true(pairs.every((id) => {
    const [x, y] = id.split('~').map((end) => end.split('/')[1]!);
    return x!.split('.').slice(0, 3).join('.') === y!.split('.').slice(0, 3).join('.') || x!.includes(':');
  }), pairs.join(' '));
  t.true(pairs.includes('h1/198.18.1.1~h2/198.18.1.2'));
  t.false(pairs.includes('h1/198.18.1.1~h2/198.18.2.2'), 'never across rails');
});

test('a plan can ask for every pair; a plan stored before rails keeps pairing everything', (t) => {
  t.is(ids(planOf([agent(1), agent(2), agent(3)], 'all')).length, 3 * (2 * 2) + 3);
  t.is(ids(planOf([agent(1), agent(2), agent(3)])).length, 15, 'no pairs field: as before rails');
});

test('rail labels decide over subnets, per NIC; an agent without facts is paired rather than dropped', (t) => {
  const railed = (n: number): PlanAgent => agent(n, {
    addresses: [`198.18.1.${n}`, `198.18.2.${n}`],
    nicLabels: { [`198.18.1.${n}`]: { rail: 'a' }, [`198.18.2.${n}`]: { rail: n === 3 ? 'a' : 'b' } },
  });
  const pairs = ids(planOf([railed(1), railed(2), railed(3)], 'in-rail'));
  t.true(pairs.includes('h1/198.18.1.1~h3/198.18.2.3'), 'h3 says its second NIC is on rail a too: paired across subnets');
  t.false(pairs.includes('h1/198.18.2.1~h3/198.18.2.3'), 'different rail labels: not paired, whatever the subnet');
  const unknown = ids(planOf([agent(1, { addresses: ['198.18.1.1'] }), agent(4, { addresses: ['198.18.2.4'] })], 'in-rail'));
  t.deepEqual(unknown, ['h1/198.18.1.1~h4/198.18.2.4'], 'h4 gave no facts: its subnet is unknown, so the measurement decides');
});

test('pairs: fabric samples each rail by ToR label, and never pairs across rails', (t) => {
  const agents = [1, 2, 3].map((n) => agent(n, { labels: { tor: n === 3 ? 'tor-2' : 'tor-1' } }));
  const pairs = ids(planOf(agents, 'fabric'));
  t.false(pairs.some((id) => id.includes('198.18.1.') && id.includes('198.18.2.')), 'rails stay apart');
  t.true(pairs.includes('h1/198.18.2.1~h2/198.18.2.2'), 'within tor-1, on rail b');
  const railB = pairs.filter((id) => id.split('~').every((end) => end.includes('/198.18.2.')));
  t.is(railB.length, 3, 'h1~h2 within tor-1, the tor-1/tor-2 pair, and one more so that every host of tor-1 crosses to tor-2');
  t.true(railB.some((id) => id.includes('h3/')), 'tor-2 takes part');
});

test('hosts in a routed fabric share no subnet, so all their endpoints pair; rail labels are what tells such rails apart', (t) => {
  const routed = (host: number, rack: number): AgentFactsResponse => ({
    ...twoRailFacts(host),
    nics: [{ name: 'eth0', mtuBytes: 9000, addresses: [`198.18.${rack}.${host}/24`], macAddress: null, speedMbps: null, driver: null, operState: 'up' }],
  });
  const leafSpineFacts = new Map([['h1', routed(1, 1)], ['h2', routed(2, 2)], ['h3', routed(3, 1)]]);
  const pairs = ids(planOf([agent(1), agent(2), agent(3)], 'in-rail'), leafSpineFacts);
  t.deepEqual(pairs, ['h1/198.18.1.1~h2/198.18.2.2', 'h1/198.18.1.1~h3/198.18.1.3', 'h2/198.18.2.2~h3/198.18.1.3'], 'one rail, routed between racks');
});

test('addresses: all on a routed fabric with a shared management net: data NICs of different racks still pair', (t) => {
  const withMgmt = (host: number, rack: number): AgentFactsResponse => ({
    ...twoRailFacts(host),
    nics: [
      { name: 'mgmt0', mtuBytes: 1500, addresses: [`198.19.0.${host}/24`], macAddress: null, speedMbps: null, driver: null, operState: 'up' },
      { name: 'eth0', mtuBytes: 9000, addresses: [`198.18.${rack}.${host}/24`], macAddress: null, speedMbps: null, driver: null, operState: 'up' },
    ],
  });
  const pairs = ids(planOf([agent(1), agent(2)], 'in-rail'), new Map([['h1', withMgmt(1, 1)], ['h2', withMgmt(2, 2)]]));
  t.true(pairs.includes('h1/198.18.1.1~h2/198.18.2.2'), 'the data fabric, routed between racks');
  t.true(pairs.includes('h1/198.19.0.1~h2/198.19.0.2'), 'addresses: all tests the management net too, as before');
});

test('the in-rail full mesh is counted without being listed, and the count is the list\'s length', (t) => {
  const twoRails = planOf([agent(1), agent(2), agent(3)], 'in-rail');
  t.is(inRailMeshPairCount(twoRails, facts), plannedPairs(twoRails, facts).length);
  const labelled = planOf([1, 2, 3, 4].map((n) => agent(n, { addresses: [`198.18.1.${n}`, `198.18.2.${n}`], nicLabels: { [`198.18.2.${n}`]: { rail: 'b' } } })), 'in-rail');
  const fourHosts = new Map([1, 2, 3, 4].map((n) => [`h${n}`, twoRailFacts(n)]));
  t.is(inRailMeshPairCount(labelled, fourHosts), 12, '6 pairs on each rail');
  t.is(inRailMeshPairCount(labelled, fourHosts), plannedPairs(labelled, fourHosts).length);
  const manyHosts = planOf(Array.from({ length: 2000 }, (_, i) => agent(i + 1, { addresses: [`198.18.${i >> 8}.${i & 255}`] })), 'in-rail');
  t.is(inRailMeshPairCount(manyHosts, new Map()), 1_999_000, '2000 hosts on one rail');
});
