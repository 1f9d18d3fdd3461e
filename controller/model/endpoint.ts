/** One tested NIC: an agent and one of its data-plane addresses. */
export interface Endpoint {
  agent: string;
  address: string;
}

/** `agent/address`: how stores, roll-ups, reports and diffs key one endpoint. */
export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.agent}/${endpoint.address}`;
}

export function sameEndpoint(x: Endpoint, y: Endpoint): boolean {
  return x.agent === y.agent && x.address === y.address;
}
