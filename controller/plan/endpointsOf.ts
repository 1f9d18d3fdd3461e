import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { addressOfCidr, isLoopbackOrLinkLocal } from '../../proto/ipAddress.js';
import type { Plan } from '../model/plan.js';

/**
 * The data-plane addresses to test on each agent: the plan's list, or for `all` every global
 * address its NICs report (never loopback or link-local), which needs an agent that answered.
 */
export function endpointsOf(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>): Map<string, string[]> {
  const endpoints = new Map<string, string[]>();
  for (const agent of plan.agents) {
    // Listed addresses stand even when the agent is down: its pairs then show as not measured.
    if (agent.addresses !== 'all') {
      endpoints.set(agent.name, agent.addresses);
      continue;
    }
    const agentFacts = facts.get(agent.name);
    if (!agentFacts) continue;
    endpoints.set(agent.name, agentFacts.nics.flatMap((nic) => nic.addresses.map(addressOfCidr))
      .filter((address) => !isLoopbackOrLinkLocal(address)));
  }
  return endpoints;
}
