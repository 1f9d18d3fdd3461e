import type { Endpoint } from '../model/endpoint.js';
import { pairId, type Pair } from '../model/pair.js';

/** The label that names a host's ToR in a fabric plan, tried in this order. */
export const TOR_LABEL_KEYS: readonly string[] = ['tor', 'switch', 'rack'];

interface Tor {
  name: string;
  endpoints: Endpoint[];
}

/**
 * A fabric sample of one group of endpoints that could all be paired (one family, one rail), in
 * the spirit of Pingmesh: every pair within each ToR, plus inter-ToR pairs such that every ToR pair
 * is covered once and every endpoint takes part in at least one, instead of the full N(N−1)/2.
 * Inter-ToR ends are taken round-robin (the endpoint with the fewest inter-ToR pairs so far), so
 * with multipath flows the ToR pairs also spread over every spine. `torOf` names an endpoint's
 * ToR; endpoints of one agent are never paired. Deterministic and pure.
 */
export function fabricSample(endpoints: readonly Endpoint[], torOf: (e: Endpoint) => string): Pair[] {
  // `a` is the end that comes first in the given (plan) order, as in a full mesh: pair ids, and so
  // baselines and diffs, do not depend on how the sample was drawn.
  const position = new Map(endpoints.map((e, i) => [e, i]));
  const tors = new Map<string, Tor>();
  for (const e of endpoints) {
    const name = torOf(e);
    const tor = tors.get(name) ?? { name, endpoints: [] };
    tor.endpoints.push(e);
    tors.set(name, tor);
  }
  const pairs: Pair[] = [];
  const seen = new Set<string>();
  const add = (a: Endpoint, b: Endpoint): boolean => {
    if (a.agent === b.agent) return false;
    const [x, y] = (position.get(a) ?? 0) <= (position.get(b) ?? 0) ? [a, b] : [b, a];
    const id = pairId(x, y);
    if (seen.has(id)) return false;
    seen.add(id);
    pairs.push({ id, a: x, b: y });
    return true;
  };
  for (const tor of tors.values()) {
    for (let i = 0; i < tor.endpoints.length; i += 1) for (let j = i + 1; j < tor.endpoints.length; j += 1) add(tor.endpoints[i]!, tor.endpoints[j]!);
  }
  const used = new Map<Endpoint, number>();
  const leastUsed = (tor: Tor, other?: Endpoint): Endpoint | undefined =>
    [...tor.endpoints].filter((e) => e.agent !== other?.agent).sort((x, y) => (used.get(x) ?? 0) - (used.get(y) ?? 0))[0];
  const link = (a: Endpoint, b: Endpoint) => {
    if (add(a, b)) for (const e of [a, b]) used.set(e, (used.get(e) ?? 0) + 1);
  };
  const list = [...tors.values()];
  for (let i = 0; i < list.length; i += 1) {
    for (let j = i + 1; j < list.length; j += 1) {
      const a = leastUsed(list[i]!);
      const b = a && leastUsed(list[j]!, a);
      if (a && b) link(a, b);
    }
  }
  // Every endpoint in at least one inter-ToR pair: one more toward the next ToR round the ring.
  if (list.length > 1) {
    list.forEach((tor, i) => {
      for (const e of tor.endpoints) {
        if ((used.get(e) ?? 0) > 0) continue;
        const peer = leastUsed(list[(i + 1) % list.length]!, e);
        if (peer) link(e, peer);
      }
    });
  }
  return pairs;
}
