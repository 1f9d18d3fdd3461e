import { z } from 'zod';

/**
 * What kind of interface a NIC is. Closed on purpose: adding a value is a new contract version
 * (docs/contracts.md), so everything the agent cannot name more precisely is `other`.
 */
export const NIC_KINDS = ['physical', 'loopback', 'veth', 'bridge', 'vxlan', 'other'] as const;
export const NicKind = z.enum(NIC_KINDS);
export type NicKind = z.infer<typeof NicKind>;

/** A VXLAN interface's encapsulation: what the overlay's packets become on the underlay. */
export const VxlanFacts = z.object({
  vni: z.number().int().nonnegative().describe('The VXLAN network identifier.'),
  remoteAddress: z.string().nullable().describe('The remote VTEP or multicast group the interface sends to; null when only forwarding entries name peers.'),
  underlayDevice: z.string().nullable().describe('The NIC the encapsulated packets leave through: the vxlan link\'s `dev`, else the route to its remote; null when neither is known.'),
  underlayMtuBytes: z.number().int().positive().nullable().describe("The underlay device's own MTU, in bytes; null when the device is not known."),
  underlayFamily: z.union([z.literal(4), z.literal(6)]).nullable().describe('IP version of the outer (underlay) header; null when the interface names no address.'),
  overheadBytes: z.number().int().positive().nullable().describe('Bytes each overlay packet grows by on the underlay: 50 over IPv4, 70 over IPv6 (outer IP 20/40 + UDP 8 + VXLAN 8 + inner Ethernet 14); null when the family is unknown.'),
});
export type VxlanFacts = z.infer<typeof VxlanFacts>;

/** A switch port this NIC hears over LLDP (lldpd's view of the link). */
export const LldpNeighbour = z.object({
  systemName: z.string().nullable().describe("The switch's system name, e.g. tor-b; null when it sends none."),
  chassisId: z.string().nullable().describe('The chassis id as sent (often a MAC address).'),
  portId: z.string().nullable().describe("The switch's port id as sent, e.g. pb4 or Ethernet12."),
  portDescription: z.string().nullable(),
  managementAddresses: z.array(z.string()).describe('Management addresses the switch advertises.'),
  maxFrameBytes: z.number().int().positive().nullable().describe('The 802.3 maximum frame size the port advertises (frame bytes, not MTU); null when not sent.'),
});
export type LldpNeighbour = z.infer<typeof LldpNeighbour>;

/** Whether the agent could ask lldpd, and why not. */
export const LldpState = z.object({
  available: z.boolean().describe('True when lldpd answered on its control socket.'),
  socket: z.string().describe('The lldpd control socket asked.'),
  detail: z.string().describe('What happened, in words: how many neighbours, or why lldpd could not be asked.'),
});
export type LldpState = z.infer<typeof LldpState>;

export const NicFacts = z.object({
  name: z.string(),
  mtuBytes: z.number().int().positive(),
  /** Addresses with prefix length, e.g. "198.18.1.1/24", "2001:2:0:1::1/64". */
  addresses: z.array(z.string()),
  macAddress: z.string().nullable(),
  speedMbps: z.number().int().nullable(),
  driver: z.string().nullable(),
  operState: z.string().nullable(),
  // Optional so that an agent from before they existed still fits contract v1.
  kind: NicKind.optional().describe('The interface kind; absent from agents that do not report it.'),
  vxlan: VxlanFacts.optional().describe('Present only on a VXLAN interface whose agent reports it.'),
  lldpNeighbours: z.array(LldpNeighbour).optional().describe('What lldpd heard on this NIC; empty = no neighbour; absent when lldpd could not be asked (see `lldp`) or from older agents.'),
});
export type NicFacts = z.infer<typeof NicFacts>;

/**
 * Whether this agent can run one test kind now, and if not why, in the spirit of perfSONAR
 * pScheduler's can-run: a controller can tell "this agent cannot" from "this test failed"
 * before it spends a test on it.
 */
export const CanRun = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    reason: z.string().describe('Why not, in words, e.g. "iperf3 is not installed (not found on PATH)".'),
  }),
]);
export type CanRun = z.infer<typeof CanRun>;

/** Per test kind. A kind added later comes as another optional key. */
export const CanRunByKind = z.object({
  pmtu: CanRun.describe('Path-MTU sweeps (and echo): needs a raw socket, so root or CAP_NET_RAW.'),
  throughput: CanRun.describe('iperf3 servers and clients: needs a working iperf3.'),
});
export type CanRunByKind = z.infer<typeof CanRunByKind>;

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
  lldp: LldpState.optional().describe('Whether LLDP neighbours could be read; absent from older agents.'),
  // Optional: agents from before it fit contract v1, and a controller reads absent as "unknown".
  canRun: CanRunByKind.optional().describe('Which test kinds this agent can run now, and why not; absent from older agents.'),
});
export type AgentFactsResponse = z.infer<typeof AgentFactsResponse>;
