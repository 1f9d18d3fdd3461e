import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { Plan } from './runModel.js';

/**
 * The data-plane addresses to test on each agent that answered: the plan's list, or for `all`
 * every global address its NICs report (never loopback or link-local).
 */
export function endpointsOf(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>): Map<string, string[]> {
  const endpoints = new Map<string, string[]>();
  for (const agent of plan.agents) {
    const agentFacts = facts.get(agent.name);
    if (!agentFacts) continue;
    if (agent.addresses !== 'all') {
      endpoints.set(agent.name, agent.addresses);
      continue;
    }
    endpoints.set(agent.name, agentFacts.nics.flatMap((nic) => nic.addresses.map((cidr) => cidr.split('/')[0]!))
      .filter((address) => !address.startsWith('127.') && address !== '::1' && !address.toLowerCase().startsWith('fe80:')));
  }
  return endpoints;
}
