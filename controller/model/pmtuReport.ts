import type { NicFacts } from '../../proto/agentFacts.js';
import type { RecordedErrorCode } from '../../proto/errorCodes.js';
import type { FlowSweep, ProbeRecord } from '../../proto/pmtuSweep.js';
import type { FlowSplit } from './flowSplit.js';
import type { PmtuVerdict } from './verdicts.js';

/** What `pmtu --json` prints and a run stores per pair: both directions' verdicts with their evidence. */
export const PMTU_REPORT_SCHEMA = 'pathprobe.pmtu/v1';

/** Flows of a direction that found the same path MTU: one class per path MTU (null = no answer). */
export interface FlowClass {
  pathMtuBytes: number | null;
  flows: number;
  /** flows / flows probed. */
  share: number;
  /**
   * The one-flow verdict of the class's representative flow, judged from that flow's own evidence
   * and the direction's NIC MTUs (e.g. 'ok' for the class that carries the NIC MTU). Absent from
   * reports stored before classes were judged.
   */
  verdict?: PmtuVerdict;
  /** The flow (an index into `sweeps`, and the `flow` of its probes) whose result is the class's: its first. */
  representativeFlow?: number;
}

/** How a direction was spread over flows, and what each class of them found. */
export interface FlowCoverage {
  probed: number;
  /** The rule that chose `probed`, in words. */
  rule: string;
  /** True when the flows disagree: they cross paths with different MTUs. */
  multipath: boolean;
  /** Smallest path MTU first. */
  classes: FlowClass[];
  /**
   * Every flow's own result, in flow order (a probe's `flow` indexes it): kept whole when the
   * probe log keeps only the representative flows. Absent from reports stored before it was kept.
   */
  sweeps?: FlowSweep[];
  /**
   * Where failing and passing flows part, from each flow's trace: the hops only failing flows
   * cross, or that the split is below L3. Null when the flows agree or were not traced (an older
   * agent); absent from older reports.
   */
  split?: FlowSplit | null;
}

export interface DirectionVerdict {
  verdict: PmtuVerdict;
  pathMtu: number | null;
  pathFrameBytes: number | null;
  largestOkBytes: number | null;
  smallestFailBytes: number | null;
  icmp: { from: string; mtu: number } | null;
  /** True for an ICMP echo sweep: the value is the round trip, not one direction. */
  roundTrip: boolean;
  /** False when the boundary was not proved (probe budget ran out). */
  complete: boolean;
  senderNicMtuBytes: number | null;
  receiverNicMtuBytes: number | null;
  probes: number;
  elapsedMs: number;
  explanation: string;
  advice: string | null;
  /** A multi-flow sweep's flow classes; null for a one-flow sweep (echo, or an older agent). */
  flows?: FlowCoverage | null;
}

export type DirectionReport =
  | (DirectionVerdict & {
    direction: string;
    error: null;
    /**
     * A one-flow sweep's every probe; a multi-flow sweep's probes of each class's representative
     * flow, the worst class's first (every flow's result stays in `flows.sweeps`).
     */
    probeLog: ProbeRecord[];
    /** Probes sent but left out of `probeLog` (those of the other flows); absent from older reports. */
    probeLogOmitted?: number;
    icmpHints: { from: string; mtuBytes: number; probeBytes: number }[];
  })
  | { direction: string; verdict: 'error'; error: { code: RecordedErrorCode; message: string }; inconclusive?: PmtuInconclusive };

/**
 * Why a direction the agent did sweep has no verdict: the peer could not answer in time. It is
 * data about the measurement, not about the network, so it reads as 'error' (could not measure,
 * exit 3), never as unreachable or a smaller MTU.
 */
export interface PmtuInconclusive {
  /**
   * peer too slow: the peer did not answer in time although packets reach it; neighbour table
   * full: this host's kernel refused to resolve the next hop, so its probes never left.
   */
  reason: 'peer too slow' | 'neighbour table full';
  /** What was seen, in words. */
  detail: string;
  handshakeAttempts: number;
  handshakeProbes: number;
  handshakeAnswered: number;
  /** Every probe of the sweep that was acknowledged, the handshake's included. */
  probesAnswered: number;
  probesSent: number;
  /** Whether the peer host's kernel answered ICMP echo after the handshake failed; null when not asked. */
  hostAnsweredEcho: boolean | null;
  /** Whether the sender held a neighbour entry for its next hop after the handshake failed; null when not asked. */
  neighbourEntry: boolean | null;
  elapsedMs: number;
}

export interface PmtuReport {
  schema: typeof PMTU_REPORT_SCHEMA;
  mode: 'peer' | 'echo';
  from: EndReport;
  to: EndReport;
  forward: DirectionReport;
  reverse: DirectionReport | null;
  /** True when both directions were measured and their path MTUs differ. */
  asymmetric: boolean;
  exitCode: number;
}

export interface EndReport {
  name: string;
  url: string | null;
  address: string;
  hostname: string | null;
  agentVersion: string | null;
  kernel: string | null;
  cpuCount: number | null;
  nic: NicFacts | null;
}
