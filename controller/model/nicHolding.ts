import type { AgentFactsResponse, NicFacts } from '../../proto/agentFacts.js';
import { addressOfCidr } from '../../proto/ipAddress.js';

/** The NIC of an agent that holds `address`; null when the agent gave no facts or has no such NIC. */
export function nicHolding(facts: AgentFactsResponse | null | undefined, address: string): NicFacts | null {
  if (!facts) return null;
  return facts.nics.find((nic) => nic.addresses.some((cidr) => addressOfCidr(cidr) === address)) ?? null;
}
