import { z } from 'zod';

export const NicFacts = z.object({
  name: z.string(),
  mtuBytes: z.number().int().positive(),
  /** Addresses with prefix length, e.g. "198.18.1.1/24", "2001:2:0:1::1/64". */
  addresses: z.array(z.string()),
  macAddress: z.string().nullable(),
  speedMbps: z.number().int().nullable(),
  driver: z.string().nullable(),
  operState: z.string().nullable(),
});
export type NicFacts = z.infer<typeof NicFacts>;

/** GET /v1/facts */
export const AgentFactsResponse = z.object({
  v: z.number().int(),
  hostname: z.string(),
  agentVersion: z.string(),
  contractVersions: z.array(z.number().int()),
  kernel: z.string(),
  /** Cores available to the agent: throughput spreads streams over one iperf3 process per core. */
  cpuCount: z.number().int().positive(),
  nics: z.array(NicFacts),
});
export type AgentFactsResponse = z.infer<typeof AgentFactsResponse>;
