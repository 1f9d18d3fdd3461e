import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import type { PmtuInconclusive } from '../model/pmtuReport.js';

/**
 * A peer sweep whose silence says something about the peer or the sender, not the path; null when
 * the sweep has a verdict. Three cases, all from facts the agent reported:
 * - nobody answered the keyed handshake and the sender held no neighbour entry for its next hop
 *   right after sending: its kernel refused to create one (a full neighbour table) and dropped
 *   the probes before the wire;
 * - nobody answered the handshake, yet the peer host's kernel answered ICMP echo: packets reach
 *   the host, only its responder did not answer (stalled, stopped, too loaded);
 * - the handshake was answered, then even the sizes it proved went unanswered through every
 *   retry: a peer (or path) that stopped answering mid-sweep cannot prove or disprove any size.
 * A handshake unanswered with a neighbour entry and no echo stays unreachable. Pure.
 */
export function pmtuInconclusive(sweep: PmtuSweepResult): PmtuInconclusive | null {
  const handshake = sweep.handshake;
  if (sweep.mode !== 'peer' || handshake === undefined) return null;
  const neighbourEntry = handshake.neighbourEntry ?? null;
  let reason: PmtuInconclusive['reason'] = 'peer too slow';
  let detail: string;
  if (handshake.answered === 0) {
    if (neighbourEntry === false) {
      reason = 'neighbour table full';
      detail = `this host's kernel refused to create a neighbour (ARP / ND) entry toward ${sweep.targetAddress}, so no probe left it`;
    } else if (handshake.hostAnsweredEcho === true) {
      detail = 'its responder never answered the keyed handshake, although the host answers ICMP echo';
    } else {
      return null;
    }
  } else if (sweep.stopReason === 'path-went-silent' || sweep.stopReason === 'unreachable') {
    detail = 'it answered the handshake, then stopped answering even sizes it had acknowledged';
  } else {
    return null;
  }
  return {
    reason,
    detail,
    handshakeAttempts: handshake.attempts,
    handshakeProbes: handshake.probesSent,
    handshakeAnswered: handshake.answered,
    probesAnswered: sweep.probes.filter((p) => p.outcome === 'passed').length,
    probesSent: sweep.probesSent,
    hostAnsweredEcho: handshake.hostAnsweredEcho,
    neighbourEntry,
    elapsedMs: sweep.elapsedMs,
  };
}

const WHAT_TO_DO: Record<PmtuInconclusive['reason'], string> = {
  'peer too slow': 'measure again when the peer is less loaded, or check that UDP to its responder is not filtered',
  'neighbour table full': 'raise net.ipv4.neigh.default.gc_thresh3 (net.ipv6.neigh.default.gc_thresh3 for IPv6) on the sender above the number of neighbours it talks to, then measure again',
};

/** The one-line message of an inconclusive direction. */
export function inconclusiveMessage(route: string, inconclusive: PmtuInconclusive): string {
  const i = inconclusive;
  return `${route}: inconclusive: ${i.reason}: ${i.detail} (handshake ${i.handshakeAnswered}/${i.handshakeProbes} answered in `
    + `${i.handshakeAttempts} attempts, ${i.probesAnswered}/${i.probesSent} probes answered, ${Math.round(i.elapsedMs)} ms); `
    + `no size was judged: ${WHAT_TO_DO[i.reason]}`;
}
