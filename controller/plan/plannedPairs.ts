import { BlockList, isIP } from 'node:net';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { addressOfCidr, canonicalAddress } from '../../proto/ipAddress.js';
import type { Endpoint } from '../model/endpoint.js';
import { labelsOfEndpoints } from '../model/endpointLabels.js';
import type { Pair } from '../model/pair.js';
import type { Plan } from '../model/plan.js';
import { planPairs } from '../schedule/planPairs.js';
import { endpointsOf } from './endpointsOf.js';
import { TOR_LABEL_KEYS, fabricSample } from './fabricSample.js';

/** The label that names a rail, when the plan gives one. */
export const RAIL_LABEL = 'rail';

/** The subnet of an endpoint's address as its agent reported it ("198.18.1.1/24"), or null when unknown. */
function subnetOf(facts: ReadonlyMap<string, AgentFactsResponse>, endpoint: Endpoint): BlockList | null {
  const address = canonicalAddress(endpoint.address);
  const cidr = facts.get(endpoint.agent)?.nics.flatMap((nic) => nic.addresses).find((c) => canonicalAddress(addressOfCidr(c)) === address);
  const prefix = cidr === undefined ? NaN : Number(cidr.split('/')[1]);
  if (!Number.isInteger(prefix)) return null;
  const list = new BlockList();
  list.addSubnet(address, prefix, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return list;
}

/**
 * Whether two endpoints are on one rail:
 * - the same `rail` label, when both have one;
 * - else endpoints on one IP subnet (from the prefixes their agents report) pair; endpoints on two
 *   subnets do not when each also has a partner on its own subnet on the other host: two NICs
 *   each on two un-routed rails give 2 pairs, not 4 of which 2 would cross rails;
 * - endpoints of a routed fabric (each rack its own subnet) have no such partner and pair, since
 *   the plan cannot tell routed rails apart without `rail` labels;
 * - and when the facts cannot tell (an agent that did not answer), the pair stands: the
 *   measurement says what it can reach. Pure.
 */
export function sameRail(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>): (a: Endpoint, b: Endpoint) => boolean {
  const labelsOf = labelsOfEndpoints(plan.agents);
  const subnets = new Map<string, BlockList | null>();
  const subnet = (e: Endpoint) => {
    const key = `${e.agent}/${e.address}`;
    if (!subnets.has(key)) subnets.set(key, subnetOf(facts, e));
    return subnets.get(key) ?? null;
  };
  const together = (x: Endpoint, y: Endpoint): boolean => {
    const [sx, sy] = [subnet(x), subnet(y)];
    const type = isIP(x.address) === 6 ? 'ipv6' : 'ipv4';
    return isIP(x.address) === isIP(y.address) && sx !== null && sy !== null && (sx.check(y.address, type) || sy.check(x.address, type));
  };
  // The endpoints the plan tests, not every NIC.
  const tested = endpointsOf(plan, facts);
  const endpointsOfHost = (agent: string): Endpoint[] => (tested.get(agent) ?? []).map((address) => ({ agent, address }));
  /** Whether `host` has a tested endpoint on `e`'s subnet: then `e` has an in-rail partner there. */
  const partnerOn = (host: string, e: Endpoint): boolean => endpointsOfHost(host).some((other) => together(e, other));
  return (a, b) => {
    const railA = labelsOf(a)[RAIL_LABEL];
    const railB = labelsOf(b)[RAIL_LABEL];
    if (railA !== undefined && railB !== undefined) return railA === railB;
    if (subnet(a) === null || subnet(b) === null) return true;
    // A pair across subnets stands unless both ends have an in-rail partner on the other host: a
    // routed fabric (or a management net beside it) gives an end no such partner.
    return together(a, b) || !(partnerOn(b.agent, a) && partnerOn(a.agent, b));
  };
}

/**
 * The pairs a plan tests, before any --only-through: every endpoint with every endpoint of the same
 * family on another agent, and, unless the plan asks for `pairs: all`, only within a rail (a
 * cross-rail pair is unreachable or routed where nobody meant to test); `pairs: fabric` samples
 * each rail (fabricSample.ts) instead of its full mesh. A plan stored before rails existed has no
 * `pairs` and paired everything, so it still does. Pure.
 */
export function plannedPairs(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>): Pair[] {
  const rule = plan.pairs ?? 'all';
  if (rule === 'fabric') return fabricPairs(plan, facts);
  const pairs = planPairs(endpointsOf(plan, facts), plan.agents.map((agent) => agent.name));
  if (rule === 'all') return pairs;
  const onOneRail = sameRail(plan, facts);
  return pairs.filter((p) => onOneRail(p.a, p.b));
}

/**
 * About how many pairs the in-rail full mesh has, counted from the rail groups the fabric sample
 * draws from, without listing them: 2000 hosts on one rail are 1,999,000 pairs, too many to build
 * only to say how many. Exact when every endpoint's rail is plain (labels, or one subnet per rail
 * or per routed fabric); a host with a NIC on a shared management net besides can make it low. Pure.
 */
export function inRailMeshPairCount(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>): number {
  let count = 0;
  for (const group of railGroups(plan, facts)) {
    const perAgent = new Map<string, number>();
    for (const e of group) perAgent.set(e.agent, (perAgent.get(e.agent) ?? 0) + 1);
    // Every two endpoints of the group, less the two on one host, which are never paired.
    count += (group.length * (group.length - 1)) / 2;
    for (const n of perAgent.values()) count -= (n * (n - 1)) / 2;
  }
  return count;
}

/** The endpoints in plan order, in groups that may be paired: one family and one rail each. */
function railGroups(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>): Endpoint[][] {
  const onOneRail = sameRail(plan, facts);
  const byAgent = endpointsOf(plan, facts);
  const groups: Endpoint[][] = [];
  for (const agent of plan.agents) {
    for (const address of new Set(byAgent.get(agent.name) ?? [])) {
      const e: Endpoint = { agent: agent.name, address };
      const group = groups.find((g) => isIP(g[0]!.address) === isIP(address) && onOneRail(g[0]!, e));
      if (group) group.push(e);
      else groups.push([e]);
    }
  }
  return groups;
}

/** `pairs: fabric`: each rail's fabric sample, the ToR named by the first of tor, switch, rack an endpoint carries. */
function fabricPairs(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>): Pair[] {
  const labelsOf = labelsOfEndpoints(plan.agents);
  const torOf = (e: Endpoint): string => {
    const labels = labelsOf(e);
    const key = TOR_LABEL_KEYS.find((k) => labels[k] !== undefined);
    // Without any ToR label each host is its own ToR: the sample is then the full mesh.
    return key === undefined ? `host ${e.agent}` : `${key}=${labels[key]}`;
  };
  return railGroups(plan, facts).flatMap((group) => fabricSample(group, torOf));
}
