import { canonicalAddress } from '../../proto/ipAddress.js';
import type { Endpoint } from './endpoint.js';
import type { PlanAgent } from './plan.js';

/** An endpoint's labels: its agent's, overridden by its NIC's own (PlanAgent.nicLabels). Pure. */
export function endpointLabels(agent: PlanAgent | undefined, address: string): Record<string, string> {
  if (!agent) return {};
  const own = agent.nicLabels?.[canonicalAddress(address)];
  return own ? { ...agent.labels, ...own } : agent.labels;
}

/** The labels of every endpoint of these agents, looked up by agent name. */
export function labelsOfEndpoints(agents: readonly PlanAgent[]): (endpoint: Endpoint) => Record<string, string> {
  const byName = new Map(agents.map((a) => [a.name, a]));
  return (endpoint) => endpointLabels(byName.get(endpoint.agent), endpoint.address);
}
