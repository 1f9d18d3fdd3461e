import { isIP } from 'node:net';
import type { Endpoint } from '../model/endpoint.js';
import { pairId, type Pair } from '../model/pair.js';

/**
 * Every pair of endpoints on different agents, each unordered pair once, `a` the endpoint that comes
 * first in plan order (agents in `agentOrder`, then each agent's addresses in the order given).
 * Same family only: IPv4 pairs with IPv4, IPv6 with IPv6. Whether two endpoints can reach each
 * other is not decided here: the measurement says so (unreachable is a verdict). Pure.
 *
 * Agents present in `endpointsByAgent` but missing from `agentOrder` follow, in map order. A
 * repeated address on one agent counts once. An address that is not an IP literal throws: the plan
 * parser resolves `addresses: all` and validates literals before scheduling.
 */
export function planPairs(endpointsByAgent: ReadonlyMap<string, readonly string[]>, agentOrder: readonly string[]): Pair[] {
  const order = [...new Set([...agentOrder, ...endpointsByAgent.keys()])];
  const endpoints: Array<Endpoint & { family: number }> = [];
  for (const agent of order) {
    for (const address of new Set(endpointsByAgent.get(agent) ?? [])) {
      const family = isIP(address);
      if (family === 0) throw new TypeError(`agent ${agent}: ${JSON.stringify(address)} is not an IP address`);
      endpoints.push({ agent, address, family });
    }
  }
  const pairs: Pair[] = [];
  for (let i = 0; i < endpoints.length; i++) {
    for (let j = i + 1; j < endpoints.length; j++) {
      const x = endpoints[i]!;
      const y = endpoints[j]!;
      if (x.agent === y.agent || x.family !== y.family) continue;
      const a: Endpoint = { agent: x.agent, address: x.address };
      const b: Endpoint = { agent: y.agent, address: y.address };
      pairs.push({ id: pairId(a, b), a, b });
    }
  }
  return pairs;
}
