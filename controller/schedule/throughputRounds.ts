import type { Pair } from '../model/pair.js';

export type ThroughputConcurrency = 'rounds' | 'serial';

/**
 * The host pairings of a round-robin tournament (circle method): host 0 stays put, the others
 * rotate one place per round. N hosts give N − 1 rounds of N / 2 pairings when N is even; for odd
 * N a "bye" is added, so there are N rounds and one host sits out each. Every two hosts meet
 * exactly once. Returns index pairs into `hosts`. Pure.
 */
export function circleRounds(hostCount: number): Array<Array<[number, number]>> {
  if (hostCount < 2) return [];
  const bye = hostCount % 2 === 1 ? hostCount : -1;
  const slots = hostCount % 2 === 1 ? hostCount + 1 : hostCount;
  const ring = Array.from({ length: slots }, (_, i) => i);
  const rounds: Array<Array<[number, number]>> = [];
  for (let r = 0; r < slots - 1; r++) {
    const round: Array<[number, number]> = [];
    for (let i = 0; i < slots / 2; i++) {
      const x = ring[i]!;
      const y = ring[slots - 1 - i]!;
      if (x === bye || y === bye) continue;
      round.push(x < y ? [x, y] : [y, x]);
    }
    rounds.push(round);
    // Rotate every slot but the first one place clockwise.
    ring.splice(1, 0, ring.pop()!);
  }
  return rounds;
}

/**
 * Rounds of throughput tests that may run at once: no agent (host) appears twice in a round, so two
 * NICs of one host are never measured together. Hosts are scheduled with the circle method (about
 * N − 1 rounds for N hosts); the endpoint pairs between two hosts (several NIC pairs) go into
 * consecutive rounds, so a host round with k NIC pairs between some two hosts becomes k rounds.
 * Hosts are ordered by first appearance in `pairs`; within a host pairing, pairs keep their order.
 * `serial`: one pair per round, in the order given. Pure.
 *
 * A pair whose two ends are on one agent (which `planPairs` never makes) gets a round of its own,
 * at the end.
 */
export function throughputRounds(pairs: readonly Pair[], mode: ThroughputConcurrency): Pair[][] {
  if (mode === 'serial') return pairs.map((p) => [p]);
  const hosts: string[] = [];
  const index = new Map<string, number>();
  const hostIndex = (agent: string): number => {
    let i = index.get(agent);
    if (i === undefined) {
      i = hosts.length;
      hosts.push(agent);
      index.set(agent, i);
    }
    return i;
  };
  const byHostPair = new Map<string, Pair[]>();
  const sameHost: Pair[] = [];
  for (const pair of pairs) {
    const x = hostIndex(pair.a.agent);
    const y = hostIndex(pair.b.agent);
    if (x === y) {
      sameHost.push(pair);
      continue;
    }
    const key = x < y ? `${x},${y}` : `${y},${x}`;
    const list = byHostPair.get(key);
    if (list) list.push(pair);
    else byHostPair.set(key, [pair]);
  }

  const rounds: Pair[][] = [];
  for (const hostRound of circleRounds(hosts.length)) {
    const groups = hostRound.map(([x, y]) => byHostPair.get(`${x},${y}`) ?? []).filter((g) => g.length > 0);
    const depth = Math.max(0, ...groups.map((g) => g.length));
    for (let k = 0; k < depth; k++) {
      rounds.push(groups.flatMap((g) => g.slice(k, k + 1)));
    }
  }
  for (const pair of sameHost) rounds.push([pair]);
  return rounds;
}
