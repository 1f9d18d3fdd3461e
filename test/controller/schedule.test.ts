import test from 'ava';
import { planPairs } from '../../controller/schedule/planPairs.js';
import { circleRounds, throughputRounds } from '../../controller/schedule/throughputRounds.js';
import { estimateRun } from '../../controller/schedule/estimateRun.js';
import { formatBytes, formatDuration } from '../../controller/render/quantityText.js';
import type { Pair } from '../../controller/model/pair.js';

/** h1..hN, each with one IPv4 data-plane address 198.18.12.i. */
function rack(hosts: number, nicsPerHost = 1): { endpoints: Map<string, string[]>; order: string[] } {
  const order = Array.from({ length: hosts }, (_, i) => `h${i + 1}`);
  const endpoints = new Map(order.map((h, i) => [h, Array.from({ length: nicsPerHost }, (_, n) => `10.${n}.12.${i + 1}`)]));
  return { endpoints, order };
}

function assertRounds(t: import('ava').ExecutionContext, pairs: Pair[], rounds: Pair[][]): void {
  for (const [i, round] of rounds.entries()) {
    const agents = round.flatMap((p) => [p.a.agent, p.b.agent]);
    t.is(new Set(agents).size, agents.length, `round ${i + 1}: no agent twice (${agents.join(' ')})`);
    t.true(round.length > 0, `round ${i + 1} is not empty`);
  }
  const ids = rounds.flat().map((p) => p.id);
  t.is(ids.length, pairs.length, 'every pair scheduled');
  t.deepEqual([...ids].sort(), pairs.map((p) => p.id).sort(), 'each pair exactly once');
}

test('planPairs: every endpoint pair across agents once, a first in plan order', (t) => {
  const pairs = planPairs(new Map([['h2', ['198.18.0.2']], ['h1', ['198.18.0.1', '198.18.1.1']], ['h3', ['198.18.0.3']]]), ['h1', 'h2', 'h3']);
  t.deepEqual(pairs.map((p) => p.id), [
    'h1/198.18.0.1~h2/198.18.0.2',
    'h1/198.18.0.1~h3/198.18.0.3',
    'h1/198.18.1.1~h2/198.18.0.2',
    'h1/198.18.1.1~h3/198.18.0.3',
    'h2/198.18.0.2~h3/198.18.0.3',
  ]);
  t.false(pairs.some((p) => p.a.agent === p.b.agent), 'two NICs of one host are never paired');
  t.deepEqual(pairs[0]!.a, { agent: 'h1', address: '198.18.0.1' });
});

test('planPairs: same family only, and no reachability guess', (t) => {
  const pairs = planPairs(new Map([
    ['h1', ['198.18.12.1', '2001:2:0:12::1']],
    ['h2', ['2001:2:0:12::2']],
    ['h3', ['198.19.99.3']],
  ]), ['h1', 'h2', 'h3']);
  t.deepEqual(pairs.map((p) => p.id), [
    'h1/198.18.12.1~h3/198.19.99.3', // different subnets still pair: unreachable is a verdict, not a guess
    'h1/2001:2:0:12::1~h2/2001:2:0:12::2',
  ]);
});

test('planPairs: agents missing from the order follow; duplicates count once; a name is refused', (t) => {
  const pairs = planPairs(new Map([['h1', ['198.18.0.1', '198.18.0.1']], ['h9', ['198.18.0.9']]]), ['h1']);
  t.deepEqual(pairs.map((p) => p.id), ['h1/198.18.0.1~h9/198.18.0.9']);
  t.throws(() => planPairs(new Map([['h1', ['h1.example']]]), ['h1']), { message: /not an IP address/ });
});

test('circle method: every two hosts meet once; N−1 rounds for even N, N for odd', (t) => {
  for (const n of [2, 3, 4, 5, 6, 7, 16, 32]) {
    const rounds = circleRounds(n);
    t.is(rounds.length, n % 2 === 0 ? n - 1 : n, `${n} hosts`);
    const met = rounds.flat().map(([x, y]) => `${x}-${y}`);
    t.is(met.length, (n * (n - 1)) / 2);
    t.is(new Set(met).size, met.length);
    for (const round of rounds) {
      const hosts = round.flat();
      t.is(new Set(hosts).size, hosts.length);
      t.is(round.length, Math.floor(n / 2), 'all hosts busy but one sitting out for odd N');
    }
  }
  t.deepEqual(circleRounds(1), []);
});

for (const [hosts, expected] of [[6, 5], [7, 7], [16, 15], [32, 31]] as const) {
  test(`throughputRounds: ${hosts} hosts take ${expected} rounds, no host twice in a round`, (t) => {
    const { endpoints, order } = rack(hosts);
    const pairs = planPairs(endpoints, order);
    const rounds = throughputRounds(pairs, 'rounds');
    t.is(rounds.length, expected);
    assertRounds(t, pairs, rounds);
  });
}

test('throughputRounds: two NICs per host are still one host; their NIC pairs go into consecutive rounds', (t) => {
  const { endpoints, order } = rack(4, 2);
  const pairs = planPairs(endpoints, order);
  t.is(pairs.length, 6 * 4, '6 host pairs × 2 × 2 NIC pairs');
  const rounds = throughputRounds(pairs, 'rounds');
  assertRounds(t, pairs, rounds);
  t.is(rounds.length, 3 * 4, '3 host rounds × 4 NIC pairs each');
  // The NIC pairs of h1 ⇄ h2 sit in consecutive rounds.
  const at = rounds.flatMap((r, i) => (r.some((p) => p.a.agent === 'h1' && p.b.agent === 'h2') ? [i] : []));
  t.deepEqual(at, [at[0]!, at[0]! + 1, at[0]! + 2, at[0]! + 3]);
});

test('throughputRounds: a host pair without pairs (family mismatch) leaves no empty round', (t) => {
  const pairs = planPairs(new Map([['h1', ['198.18.0.1']], ['h2', ['198.18.0.2']], ['h3', ['2001:2:0::3']], ['h4', ['2001:2:0::4']]]), ['h1', 'h2', 'h3', 'h4']);
  const rounds = throughputRounds(pairs, 'rounds');
  assertRounds(t, pairs, rounds);
  t.is(rounds.length, 1, 'h1⇄h2 and h3⇄h4 in one round');
});

test('throughputRounds serial: one pair per round, in order', (t) => {
  const { endpoints, order } = rack(4);
  const pairs = planPairs(endpoints, order);
  const rounds = throughputRounds(pairs, 'serial');
  t.deepEqual(rounds, pairs.map((p) => [p]));
  t.deepEqual(throughputRounds([], 'rounds'), []);
});

test('estimateRun: 6 hosts at 10 Gbit/s, 1/2/4/8 streams × 2 rows × 2 directions', (t) => {
  const { endpoints, order } = rack(6);
  const pairs = planPairs(endpoints, order);
  const rounds = throughputRounds(pairs, 'rounds');
  const e = estimateRun({
    pairs, rounds, tests: ['pmtu', 'throughput'],
    plan: { concurrency: { pmtuParallel: 4, throughput: 'rounds' }, throughput: { streams: [1, 2, 4, 8], durationMs: 10_000, repeats: 1 } },
    linkSpeedMbps: Object.fromEntries(order.map((h) => [h, 10_000])),
  });
  t.is(e.pairs, 15);
  t.is(e.kinds.throughput?.details.rounds, 5);
  t.is(e.kinds.throughput?.details.cellsPerPair, 16, '2 rows × 4 stream counts × 1 repeat × 2 directions');
  t.is(e.kinds.pmtu?.durationMs, 4000, '⌈15 / 4⌉ × 1 s');
  t.is(e.kinds.throughput?.durationMs, 5 * 16 * 12_000);
  t.is(e.durationMs, 4000 + 960_000);
  t.is(e.kinds.throughput?.bytes, 15 * 16 * 10 * 10e9 / 8, 'cells × 10 s × 10 Gbit/s / 8, every pair');
  t.is(e.bytes, e.kinds.throughput!.bytes + e.kinds.pmtu!.bytes, 'a run sends what its kinds send');
  t.is(e.text, '15 pairs, 5 throughput rounds, about 16 min, path-MTU probes at most 27 MB, at most 3 TB');
});

test('estimateRun: the slower end sets the speed, a NIC entry beats the agent, unknown speeds are said', (t) => {
  const pairs = planPairs(new Map([['h1', ['198.18.0.1']], ['h2', ['198.18.0.2']], ['h3', ['198.18.0.3']]]), ['h1', 'h2', 'h3']);
  const rounds = throughputRounds(pairs, 'rounds');
  const e = estimateRun({
    pairs, rounds, tests: ['pmtu', 'throughput'], rowsPerDirection: 3,
    plan: { concurrency: { pmtuParallel: 8, throughput: 'rounds' }, throughput: { streams: [1, 4], durationMs: 5000, repeats: 2 } },
    linkSpeedMbps: { h1: 25_000, 'h1/198.18.0.1': 1000, h2: 10_000, h3: null },
  });
  t.is(e.kinds.throughput?.details.rounds, 3);
  t.is(e.kinds.throughput?.details.cellsPerPair, 3 * 2 * 2 * 2);
  t.is(e.durationMs, 1000 + 3 * 24 * 7000, 'three rounds of one pair each (3 hosts: one sits out)');
  t.is(e.kinds.throughput?.details.pairsWithoutLinkSpeed, 2, 'both pairs with h3');
  t.is(e.kinds.throughput?.bytes, 24 * 5 * 1e9 / 8, 'h1⇄h2 at the 1 Gbit/s of h1\'s NIC');
  t.is(e.text, '3 pairs, 3 throughput rounds, about 8 min, path-MTU probes at most 5.4 MB, at most 15 GB (+ 2 pairs of unknown link speed)');

  const none = estimateRun({
    pairs, rounds, tests: ['throughput'],
    plan: { concurrency: { pmtuParallel: 1, throughput: 'rounds' }, throughput: { streams: [1], durationMs: 5000, repeats: 1 } },
  });
  t.regex(none.text, /bytes unknown \(no link speed reported\)$/);
  t.is(none.kinds.pmtu?.durationMs, 3000, 'throughput needs the path MTU, so a run measures (and estimates) it too');
});

test('estimateRun: path MTU only', (t) => {
  const { endpoints, order } = rack(32);
  const pairs = planPairs(endpoints, order);
  const e = estimateRun({
    pairs, rounds: throughputRounds(pairs, 'rounds'), tests: ['pmtu'],
    plan: { concurrency: { pmtuParallel: 8, throughput: 'rounds' }, throughput: { streams: [1], durationMs: 10_000, repeats: 1 } },
  });
  t.is(e.pairs, 496);
  t.is(e.kinds.throughput, undefined, 'no throughput rounds');
  t.is(e.bytes, 496 * 2 * 100 * 9000, 'only the path-MTU probes');
  t.is(e.text, '496 pairs, about 62 s, path-MTU probes at most 893 MB');
  const manyFlows = estimateRun({
    pairs, rounds: throughputRounds(pairs, 'rounds'), tests: ['pmtu'],
    plan: { concurrency: { pmtuParallel: 8, throughput: 'rounds' }, throughput: { streams: [1], durationMs: 10_000, repeats: 1 }, pmtu: { flows: 23 } },
  });
  t.is(manyFlows.bytes, 23 * 496 * 2 * 100 * 9000, 'each flow may need the probes of a whole sweep');
  t.is(manyFlows.text, '496 pairs, about 2 min, path-MTU probes at most 21 GB (23 flows per direction)', '62 batches of about 2 s (32 lab hosts took 1.8 s per batch)');
});

test('formatting', (t) => {
  t.is(formatDuration(40_000), '40 s');
  t.is(formatDuration(12 * 60_000), '12 min');
  t.is(formatDuration(150 * 60_000), '2.5 h');
  t.is(formatBytes(540e9), '540 GB');
  t.is(formatBytes(1.25e12), '1.3 TB');
  t.is(formatBytes(512), '512 B');
});
