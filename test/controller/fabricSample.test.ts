import test from 'ava';
import { fabricSample } from '../../controller/plan/fabricSample.js';
import { throughputRounds } from '../../controller/schedule/throughputRounds.js';
import type { Endpoint } from '../../controller/model/endpoint.js';

/** `racks` ToRs of `hosts` hosts each, in plan order: rack r's host h is h<r><h> at 198.18.r.h. */
function fabric(racks: number, hosts: number): Endpoint[] {
  return Array.from({ length: racks * hosts }, (_, i) => {
    const [r, h] = [Math.floor(i / hosts) + 1, (i % hosts) + 1];
    return { agent: `r${r}h${h}`, address: `198.18.${r}.${h}` };
  });
}
const torOf = (e: Endpoint) => `tor=${e.agent.split('h')[0]}`;

test('4 racks × 8 hosts: every pair within each ToR, every ToR pair once, every host across ToRs, far fewer than the full mesh', (t) => {
  const endpoints = fabric(4, 8);
  const pairs = fabricSample(endpoints, torOf);
  const within = pairs.filter((p) => torOf(p.a) === torOf(p.b));
  const across = pairs.filter((p) => torOf(p.a) !== torOf(p.b));
  t.is(within.length, 4 * 28, 'the full mesh of each ToR');
  const torPairs = new Set(across.map((p) => [torOf(p.a), torOf(p.b)].sort().join(' ')));
  t.is(torPairs.size, 6, 'every ToR pair covered');
  const acrossEnds = new Set(across.flatMap((p) => [p.a.agent, p.b.agent]));
  t.is(acrossEnds.size, 32, 'every host takes part across ToRs');
  t.true(across.length <= 6 + 32, `O(N) inter-ToR pairs: ${across.length}`);
  t.true(pairs.length < (32 * 31) / 2 / 3, `${pairs.length} of 496`);
  const order = new Map(endpoints.map((e, i) => [e.agent, i]));
  t.true(pairs.every((p) => order.get(p.a.agent)! < order.get(p.b.agent)!), 'a is the end first in plan order, as in a full mesh');
  t.is(new Set(pairs.map((p) => p.id)).size, pairs.length, 'no pair twice');
  t.deepEqual(fabricSample(endpoints, torOf), pairs, 'deterministic');
});

test('the sample grows linearly across ToRs: 16, 32 and 64 hosts in racks of 8', (t) => {
  for (const racks of [2, 4, 8]) {
    const across = fabricSample(fabric(racks, 8), torOf).filter((p) => torOf(p.a) !== torOf(p.b)).length;
    const n = racks * 8;
    t.true(across <= (racks * (racks - 1)) / 2 + n, `${n} hosts: ${across} inter-ToR pairs`);
  }
});

test('one ToR is its own full mesh; hosts without ToR labels (each its own ToR) get the full mesh', (t) => {
  t.is(fabricSample(fabric(1, 5), torOf).length, 10);
  t.is(fabricSample(fabric(2, 3), (e) => e.agent).length, 15);
});

test('throughput rounds over a fabric sample stay interference-free: no host in two tests of one round, every pair once', (t) => {
  const pairs = fabricSample(fabric(4, 8), torOf);
  const rounds = throughputRounds(pairs, 'rounds');
  for (const round of rounds) {
    const hosts = round.flatMap((p) => [p.a.agent, p.b.agent]);
    t.is(new Set(hosts).size, hosts.length, 'a host is in at most one pair per round');
  }
  t.deepEqual(rounds.flat().map((p) => p.id).sort(), pairs.map((p) => p.id).sort());
});
