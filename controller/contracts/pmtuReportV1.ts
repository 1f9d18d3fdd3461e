import { z } from 'zod';
import { NicFacts } from '../../proto/agentFacts.js';
import { RecordedErrorCode } from '../../proto/errorCodes.js';
import { FlowSweep, IcmpHint, ProbeRecord } from '../../proto/pmtuSweep.js';
import { PmtuVerdictV1 } from './pmtuVerdictV1.js';

export const PMTU_REPORT_V1 = 'pathprobe.pmtu/v1';

export const EndReportV1 = z.object({
  name: z.string().describe("Display name: the agent's hostname, or the bare address (a target with no agent, or two agents sharing a hostname)."),
  url: z.string().nullable().describe("The agent's URL; null for a target with no agent (echo mode)."),
  address: z.string().describe('The data-plane IP address measured.'),
  hostname: z.string().nullable(),
  agentVersion: z.string().nullable(),
  kernel: z.string().nullable(),
  cpuCount: z.number().int().nullable().describe('Cores available to the agent.'),
  nic: NicFacts.nullable().describe('The NIC holding `address`; null when unknown (no agent).'),
}).meta({ id: 'EndReport', description: 'One end of the measured pair, with the facts its agent reported.' });

const bytes = (what: string) => z.number().int().nullable().describe(`${what}, in bytes (IP packet size, no Ethernet header); null when not known.`);

const FlowCounts = {
  failingFlows: z.number().int().describe('Flows that found a smaller path MTU than the best flows (or no answer).'),
  passingFlows: z.number().int().describe('Flows that found the best path MTU.'),
};

export const FlowSplitV1 = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('routed'),
    hops: z.array(z.object({
      hop: z.number().int().describe('Hop limit at which the router answered time-exceeded (1 = first router).'),
      addresses: z.array(z.string()).describe('The routers every failing flow met there; no passing flow met any of them there.'),
    })).describe('Every hop crossed only by failing flows, in path order: the fault is at or right after the first.'),
    ...FlowCounts,
  }),
  z.object({
    kind: z.literal('below-l3'),
    routers: z.array(z.string()).describe('The routers every flow crosses, in order; empty when the hosts share one L2 segment.'),
    ...FlowCounts,
  }).describe('Failing and passing flows cross the same routers: the paths part inside a link (a LAG member, L2 ECMP).'),
  z.object({
    kind: z.literal('unknown'),
    reason: z.string().describe('Why no hop can be named: traces missing, hops unanswered, or overlapping routes.'),
  }),
]).meta({ id: 'FlowSplit', description: 'Where the flows of a multipath direction part, from TTL-limited probes over each flow\'s own 5-tuple.' });

export const MeasuredDirectionV1 = z.object({
  direction: z.string().describe("'sender → receiver'."),
  verdict: PmtuVerdictV1,
  pathMtu: bytes('The largest IP packet proved to cross this direction'),
  pathFrameBytes: z.number().int().nullable().describe('The Ethernet frame size of a path-MTU packet (pathMtu + 18 header and FCS bytes).'),
  largestOkBytes: bytes('The largest probe acknowledged'),
  smallestFailBytes: bytes('The smallest probe that failed'),
  icmp: z.object({
    from: z.string().describe('The router that sent ICMP frag-needed / Packet Too Big.'),
    mtu: z.number().int().describe('The next-hop MTU it reported, in bytes.'),
  }).nullable().describe('The ICMP hint that matches the path MTU; null when none did.'),
  roundTrip: z.boolean().describe('True for an ICMP echo sweep: the value is the round trip, not one direction.'),
  complete: z.boolean().describe('False when the boundary was not proved (probe budget ran out).'),
  senderNicMtuBytes: bytes("The sending NIC's MTU"),
  receiverNicMtuBytes: bytes("The receiving NIC's MTU"),
  probes: z.number().int().describe('Probes sent.'),
  elapsedMs: z.number().describe('Duration of the sweep, in milliseconds.'),
  explanation: z.string().describe('Which facts decided the verdict, in words.'),
  advice: z.string().nullable().describe('What to change; null when nothing needs to.'),
  flows: z.object({
    probed: z.number().int().describe('Flows (UDP source ports) the direction was probed over.'),
    rule: z.string().describe('The rule that chose that number, in words.'),
    multipath: z.boolean().describe('True when the flows found different path MTUs: they cross different paths (ECMP, LAG).'),
    classes: z.array(z.object({
      pathMtuBytes: z.number().int().nullable().describe('The path MTU these flows found, in bytes; null when they got no answer.'),
      flows: z.number().int(),
      share: z.number().describe('flows / probed, 0..1.'),
      verdict: PmtuVerdictV1.optional().describe("The one-flow verdict of the class's representative flow, from that flow's own evidence and the NIC MTUs: e.g. ok for the class that carries the NIC MTU, silent-drop for one capped without a word. Absent from reports made before classes were judged."),
      representativeFlow: z.number().int().optional().describe("The flow whose result is the class's (its first): an index into `sweeps` and the `flow` of its probes in `probeLog`."),
    })).describe('One class per path MTU found, smallest first; pathMtu is the smallest.'),
    sweeps: z.array(FlowSweep).optional().describe("Every flow's own result (path MTU, failure evidence, probes sent), in flow order: a probe's `flow` indexes it. Absent from reports made before it was kept."),
    split: FlowSplitV1.nullable().optional().describe('Where failing and passing flows part, from each flow\'s trace; null when the flows agree or the agent did not trace them. Absent from reports made before flows were traced.'),
  }).nullable().optional().describe('A multi-flow sweep: how the flows split. Absent or null for a one-flow sweep (echo, older agents).'),
  error: z.null(),
  probeLog: z.array(ProbeRecord).describe("Every probe as sent, in order. For a multi-flow sweep, the probes of each flow class's representative flow (the worst class's first); `probeLogOmitted` counts the others, whose results are in `flows.sweeps`."),
  probeLogOmitted: z.number().int().optional().describe('Probes sent but left out of probeLog: those of flows other than the representative ones; 0 for a one-flow sweep. Absent from reports made before the log was trimmed.'),
  icmpHints: z.array(IcmpHint).describe('Every validated ICMP frag-needed / Packet Too Big received.'),
}).meta({ id: 'MeasuredDirection', description: 'A direction that was measured: its verdict and the facts behind it.' });

export const PmtuInconclusiveV1 = z.object({
  reason: z.enum(['peer too slow', 'neighbour table full']).describe("peer too slow: packets reach the peer but it did not answer in time; neighbour table full: the sender's kernel refused to create an ARP / ND entry for its next hop, so the probes never left."),
  detail: z.string().describe('What was seen, in words.'),
  handshakeAttempts: z.number().int().describe('Handshake rounds sent (2 small probes each, each round waiting longer).'),
  handshakeProbes: z.number().int(),
  handshakeAnswered: z.number().int(),
  probesAnswered: z.number().int().describe('Probes of the sweep acknowledged, the handshake included.'),
  probesSent: z.number().int(),
  hostAnsweredEcho: z.boolean().nullable().describe("Whether the peer host's kernel answered ICMP echo after the handshake failed; null when not asked."),
  neighbourEntry: z.boolean().nullable().describe('Whether the sender held a neighbour entry for its next hop right after sending to it, once the handshake failed; null when not asked.'),
  elapsedMs: z.number().describe('Duration of the sweep, in milliseconds.'),
}).meta({ id: 'PmtuInconclusive', description: 'Why a swept direction has no verdict: the peer could not answer in time. Data about the measurement, not the network.' });

export const FailedDirectionV1 = z.object({
  direction: z.string().describe("'sender → receiver'."),
  verdict: z.literal('error'),
  error: z.object({ code: RecordedErrorCode, message: z.string() }),
  inconclusive: PmtuInconclusiveV1.optional().describe("Present when the agent swept but the peer was too slow to answer (error.code ERR_PROBE_FAILED, message starting 'inconclusive:'); absent for an agent error."),
}).meta({ id: 'FailedDirection', description: 'A direction that could not be measured: an agent error, or a sweep left inconclusive by a peer too slow to answer.' });

export const DirectionReportV1 = z.union([MeasuredDirectionV1, FailedDirectionV1]).meta({ id: 'DirectionReport' });

export const PmtuReportV1 = z.object({
  schema: z.literal(PMTU_REPORT_V1),
  mode: z.enum(['peer', 'echo']).describe('peer: DF UDP between two agents, one verdict per direction; echo: DF ICMP echo to a target with no agent, one round-trip verdict.'),
  from: EndReportV1,
  to: EndReportV1,
  forward: DirectionReportV1.describe('from → to (the round trip in echo mode).'),
  reverse: DirectionReportV1.nullable().describe('to → from; null in echo mode.'),
  asymmetric: z.boolean().describe('True when both directions were measured and their path MTUs differ.'),
  exitCode: z.number().int().describe('0 both ok, 1 a finding, 3 an agent or the target could not be reached or measured.'),
}).meta({ id: 'PmtuReport', description: 'The path MTU of one pair, both directions (`pathprobe pmtu --json`).' });
