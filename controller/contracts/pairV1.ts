import { z } from 'zod';

export const EndpointV1 = z.object({
  agent: z.string().describe("The agent's name in the plan."),
  address: z.string().describe('One of its data-plane IP addresses.'),
}).meta({ id: 'Endpoint', description: 'One tested NIC: an agent and one of its data-plane addresses.' });

export const PairV1 = z.object({
  id: z.string().describe("'agent/address~agent/address', a first."),
  a: EndpointV1,
  b: EndpointV1,
}).meta({ id: 'Pair', description: 'An unordered pair of endpoints, a first in plan order; forward = a → b.' });
