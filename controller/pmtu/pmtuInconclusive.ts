import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import type { PmtuInconclusive } from '../model/pmtuReport.js';

/**
 * A peer sweep whose silence says something about the peer, not the path; null when the sweep has
 * a verdict. Two cases, both from facts the agent reported:
 * - nobody answered the keyed handshake, yet the peer host's kernel answered ICMP echo: packets
 *   reach the host, only its responder did not answer (stalled, stopped, too loaded);
 * - the handshake was answered, then even the sizes it proved went unanswered through every
 *   retry: a peer (or path) that stopped answering mid-sweep cannot prove or disprove any size.
 * A handshake unanswered with no echo either stays unreachable. Pure.
 */
export function pmtuInconclusive(sweep: PmtuSweepResult): PmtuInconclusive | null {
  const handshake = sweep.handshake;
  if (sweep.mode !== 'peer' || handshake === undefined) return null;
  let detail: string;
  if (handshake.answered === 0) {
    if (handshake.hostAnsweredEcho !== true) return null;
    detail = 'its responder never answered the keyed handshake, although the host answers ICMP echo';
  } else if (sweep.stopReason === 'path-went-silent' || sweep.stopReason === 'unreachable') {
    detail = 'it answered the handshake, then stopped answering even sizes it had acknowledged';
  } else {
    return null;
  }
  return {
    reason: 'peer too slow',
    detail,
    handshakeAttempts: handshake.attempts,
    handshakeProbes: handshake.probesSent,
    handshakeAnswered: handshake.answered,
    probesAnswered: sweep.probes.filter((p) => p.outcome === 'passed').length,
    probesSent: sweep.probesSent,
    hostAnsweredEcho: handshake.hostAnsweredEcho,
    elapsedMs: sweep.elapsedMs,
  };
}

/** The one-line message of an inconclusive direction. */
export function inconclusiveMessage(route: string, inconclusive: PmtuInconclusive): string {
  const i = inconclusive;
  return `${route}: inconclusive: ${i.reason}: ${i.detail} (handshake ${i.handshakeAnswered}/${i.handshakeProbes} answered in `
    + `${i.handshakeAttempts} attempts, ${i.probesAnswered}/${i.probesSent} probes answered, ${Math.round(i.elapsedMs)} ms); `
    + 'no size was judged: measure again when the peer is less loaded, or check that UDP to its responder is not filtered';
}
