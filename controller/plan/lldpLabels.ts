import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { addressOfCidr, canonicalAddress, isLoopbackOrLinkLocal } from '../../proto/ipAddress.js';
import { endpointLabels } from '../model/endpointLabels.js';
import type { PlanAgent } from '../model/plan.js';

/**
 * The plan's agents, with the switch and port each NIC hears over LLDP as its `switch` and `port`
 * (`SWITCH/PORT`) labels wherever the plan gives none of that key (a plan with only rack labels
 * still gets switches and ports): a culprit is then named from the wire ("switch tor-b, port
 * pb4"). A label the plan gives always wins, on the agent or on a NIC; a contradiction between it
 * and LLDP is a cabling finding (lldpFindings.ts), never an override. Pure.
 */
export function withLldpLabels(agents: readonly PlanAgent[], facts: ReadonlyMap<string, AgentFactsResponse>): PlanAgent[] {
  return agents.map((agent) => {
    const nicLabels: Record<string, Record<string, string>> = { ...(agent.nicLabels ?? {}) };
    let learnt = false;
    for (const nic of facts.get(agent.name)?.nics ?? []) {
      const [neighbour] = nic.lldpNeighbours ?? [];
      if (!neighbour?.systemName) continue;
      // Port ids repeat across switches (every switch has an Ethernet12): the label names the switch too.
      const fromWire: Record<string, string> = { switch: neighbour.systemName, ...(neighbour.portId ? { port: `${neighbour.systemName}/${neighbour.portId}` } : {}) };
      // Link-local addresses repeat across NICs and are never tested.
      for (const address of nic.addresses.map(addressOfCidr).filter((a) => !isLoopbackOrLinkLocal(a))) {
        const given = endpointLabels(agent, address);
        const missing = Object.fromEntries(Object.entries(fromWire).filter(([key]) => given[key] === undefined));
        if (Object.keys(missing).length === 0) continue;
        const key = canonicalAddress(address);
        nicLabels[key] = { ...nicLabels[key], ...missing };
        learnt = true;
      }
    }
    return learnt ? { ...agent, nicLabels } : agent;
  });
}
