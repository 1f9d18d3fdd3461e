import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { addressOfCidr, canonicalAddress, isLoopbackOrLinkLocal } from '../../proto/ipAddress.js';
import type { PlanAgent } from '../model/plan.js';

/**
 * The plan's agents, with the switch and port each NIC hears over LLDP as its `switch` and `port`
 * (`SWITCH/PORT`) labels, for every agent the plan gives no labels at all: a culprit is then named from the wire
 * ("switch tor-b, port pb4"). Labels the plan gives always win, on the agent or on a NIC; a
 * contradiction between them and LLDP is a cabling finding (lldpFindings.ts), never an override.
 * Pure.
 */
export function withLldpLabels(agents: readonly PlanAgent[], facts: ReadonlyMap<string, AgentFactsResponse>): PlanAgent[] {
  return agents.map((agent) => {
    const labelled = Object.keys(agent.labels).length > 0 || Object.keys(agent.nicLabels ?? {}).length > 0;
    const nics = facts.get(agent.name)?.nics ?? [];
    if (labelled) return agent;
    const nicLabels: Record<string, Record<string, string>> = {};
    for (const nic of nics) {
      const [neighbour] = nic.lldpNeighbours ?? [];
      if (!neighbour?.systemName) continue;
      // Port ids repeat across switches (every switch has an Ethernet12): the label names the switch too.
      const labels = { switch: neighbour.systemName, ...(neighbour.portId ? { port: `${neighbour.systemName}/${neighbour.portId}` } : {}) };
      // Link-local addresses repeat across NICs and are never tested.
      for (const address of nic.addresses.map(addressOfCidr).filter((a) => !isLoopbackOrLinkLocal(a))) nicLabels[canonicalAddress(address)] = labels;
    }
    return Object.keys(nicLabels).length > 0 ? { ...agent, nicLabels } : agent;
  });
}
