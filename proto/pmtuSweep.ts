import { z } from 'zod';
import { IpAddress } from './ipAddress.js';

/** Flows one sweep may ask for: each holds three sockets while it runs. */
export const MAX_SWEEP_FLOWS = 64;

/**
 * What became of one probe. Outcomes are data: the controller derives verdicts from them.
 * - passed: acknowledged (peer mode: by the responder with the size it received; echo mode: an echo reply)
 * - silent: nothing came back before the round's timeout
 * - too-big-icmp: a validated ICMP frag-needed / ICMPv6 Packet Too Big quoted this probe
 * - too-big-local: the sender's own interface refused it (EMSGSIZE in PROBE mode)
 * - send-error: the kernel refused the send for another reason (for example ENOBUFS)
 */
export const ProbeOutcome = z.enum(['passed', 'silent', 'too-big-icmp', 'too-big-local', 'send-error']);
export type ProbeOutcome = z.infer<typeof ProbeOutcome>;

export const IcmpHint = z.object({
  /** The router (or host) that sent the ICMP. */
  from: z.string(),
  /** The next-hop MTU it reported (0 from pre-RFC 1191 routers). */
  mtuBytes: z.number().int(),
  /** The size of the probe it quoted. */
  probeBytes: z.number().int(),
});
export type IcmpHint = z.infer<typeof IcmpHint>;

export const ProbeRecord = z.object({
  sizeBytes: z.number().int(),
  round: z.number().int(),
  /** Milliseconds since the sweep started. */
  sentAtMs: z.number(),
  outcome: ProbeOutcome,
  rttMs: z.number().nullable(),
  /** Peer mode: the size the responder says it received. */
  receivedBytes: z.number().int().nullable(),
  icmp: IcmpHint.nullable(),
  error: z.string().nullable(),
  /** Which flow of a multi-flow sweep sent it (an index into `flows`); absent for a one-flow sweep. */
  flow: z.number().int().optional(),
});
export type ProbeRecord = z.infer<typeof ProbeRecord>;

/**
 * POST /v1/pmtu: the agent sweeps one direction, from itself to `target`.
 * - peer: DF UDP probes to a responder another agent opened for this sweep; measures this direction.
 * - echo: DF ICMP echo to a target with no agent; measures the round trip. Allowed only within --allow.
 */
export const PmtuSweepRequest = z.discriminatedUnion('mode', [
  z.object({
    v: z.number().int(),
    mode: z.literal('peer'),
    sourceAddress: IpAddress.optional(),
    target: z.object({
      address: IpAddress,
      port: z.number().int().min(1).max(65535),
      keyHex: z.string().regex(/^[0-9a-f]{32}$/, { message: 'must be 32 lowercase hex digits' }),
    }).strict(),
    maxRounds: z.number().int().min(1).max(64).default(24),
    /**
     * Flows to spread the sweep over, each its own UDP source port (and so its own ECMP / LAG hash
     * and, for IPv6, its own kernel flow label): a direction has as many truths as it has paths.
     */
    flows: z.number().int().min(1).max(MAX_SWEEP_FLOWS).default(1),
  }).strict(),
  z.object({
    v: z.number().int(),
    mode: z.literal('echo'),
    sourceAddress: IpAddress.optional(),
    target: z.object({ address: IpAddress }).strict(),
    maxRounds: z.number().int().min(1).max(64).default(24),
  }).strict(),
]);
export type PmtuSweepRequest = z.infer<typeof PmtuSweepRequest>;

/** A flow's first reading, kept when it did not hold up when the flow was asked again. */
const FirstReading = z.object({ largestOkBytes: z.number().int().nullable(), smallestFailBytes: z.number().int().nullable() });

/**
 * The routers one flow crossed, from TTL-limited probes over its own 5-tuple: `hops[i]` is the
 * address that answered time-exceeded at hop limit i + 1, or null when none did.
 */
export const FlowTrace = z.object({
  hops: z.array(z.string().nullable()),
  /** The hop limit at which the probe reached the peer's responder; null when it never did. */
  reachedAtHop: z.number().int().nullable(),
});
export type FlowTrace = z.infer<typeof FlowTrace>;

/** What one flow of a multi-flow sweep found, as facts. */
export const FlowSweep = z.object({
  /** The flow's UDP source port. */
  sourcePort: z.number().int().nullable(),
  /** IPv6: the flow's flow label, set explicitly in every probe; absent for IPv4 and older agents. */
  flowLabel: z.number().int().nullable().optional(),
  reachable: z.boolean(),
  largestOkBytes: z.number().int().nullable(),
  smallestFailBytes: z.number().int().nullable(),
  failEvidence: z.object({ silent: z.number().int(), icmp: z.number().int(), local: z.number().int(), sendError: z.number().int() }),
  complete: z.boolean(),
  probesSent: z.number().int(),
  rounds: z.number().int(),
  /** Set when the flow's first reading did not hold up when asked again (PmtuSweepResult.resweptFrom). */
  resweptFrom: FirstReading.optional(),
  /**
   * The routers this flow crossed, traced when the flows of the sweep disagree (so that the
   * controller can name where failing and passing flows part); absent otherwise and from older agents.
   */
  trace: FlowTrace.nullable().optional(),
});
export type FlowSweep = z.infer<typeof FlowSweep>;

export const PmtuSweepResult = z.object({
  v: z.number().int(),
  mode: z.enum(['peer', 'echo']),
  family: z.union([z.literal(4), z.literal(6)]),
  sourceAddress: z.string().nullable(),
  targetAddress: z.string(),
  /** The NIC the probes left through and its MTU: the largest size this host can send. */
  device: z.string().nullable(),
  deviceMtuBytes: z.number().int().nullable(),
  /** False when not even the base-size probes were answered: the peer or the path is down. */
  reachable: z.boolean(),
  largestOkBytes: z.number().int().nullable(),
  smallestFailBytes: z.number().int().nullable(),
  /** How probes at smallestFailBytes failed, counted. */
  failEvidence: z.object({
    silent: z.number().int(),
    icmp: z.number().int(),
    local: z.number().int(),
    sendError: z.number().int(),
  }),
  /** True when the boundary was proved: passes at largestOk, and repeated failures at smallestFail. */
  complete: z.boolean(),
  icmpHints: z.array(IcmpHint),
  probes: z.array(ProbeRecord),
  probesSent: z.number().int(),
  rounds: z.number().int(),
  timeoutMs: z.number(),
  /** Share of probes that failed although a larger size passed: loss, not size. */
  lossEstimate: z.number(),
  elapsedMs: z.number(),
  /** Peer mode: the UDP source port of a one-flow sweep's probes. */
  sourcePort: z.number().int().nullable().optional(),
  /**
   * A flow that read smaller than its sibling flows, then passed above that reading when asked
   * again, and was swept again: its first reading (the probes of both sweeps are in `probes`).
   */
  resweptFrom: FirstReading.optional(),
  /** IPv6 peer mode: the flow label of a one-flow sweep's probes (each flow has its own). */
  flowLabel: z.number().int().nullable().optional(),
  /**
   * A multi-flow sweep: every flow's own result. The top-level fields are then those of the
   * flow with the smallest path MTU, the size that is safe for any connection.
   */
  flows: z.array(FlowSweep).optional(),
  /**
   * Round 0: small probes that warm the neighbour caches and, in peer mode, are the keyed
   * handshake. Absent from agents older than this field.
   */
  handshake: z.object({
    attempts: z.number().int(),
    probesSent: z.number().int(),
    answered: z.number().int(),
    elapsedMs: z.number(),
    /**
     * Peer mode, handshake never answered: did the peer host's kernel answer ICMP echo? true
     * means packets reach the host and only its responder stayed silent. null when not asked.
     */
    hostAnsweredEcho: z.boolean().nullable(),
    /**
     * Peer mode, handshake never answered: did this host's kernel hold a neighbour (ARP / ND)
     * entry for the next hop right after sending to it? false means it refused to create one (a
     * full neighbour table) and dropped the probes before the wire. null when not asked.
     */
    neighbourEntry: z.boolean().nullable().optional(),
  }).optional(),
  /** Why the search stopped; absent from older agents. */
  stopReason: z.enum(['proved', 'unreachable', 'path-went-silent', 'max-rounds']).nullable().optional(),
});
export type PmtuSweepResult = z.infer<typeof PmtuSweepResult>;
