import { minProbeBytes } from './probePackets.js';
import { openProbeTransport } from './probeTransport.js';

/** Long enough for a loaded kernel; the kernel answers echo even when the agent process is stalled. */
const ECHO_TIMEOUT_MS = 1000;
const ECHO_PROBES = 2;

/**
 * After a keyed handshake nobody answered: does the peer host itself still answer? The kernel
 * answers ICMP echo without the agent process, so a yes means packets reach the host and only its
 * responder stayed silent (stalled, stopped, too loaded), which is no verdict about the path.
 * Only smallest-size echoes go out, to the address the handshake was already aimed at.
 * null when the echo sockets cannot be opened: the question stays unanswered, not answered no.
 */
export async function peerHostAnswersEcho(options: { address: string; family: 4 | 6; device?: string }): Promise<boolean | null> {
  let transport;
  try {
    transport = await openProbeTransport({ target: { mode: 'echo', address: options.address }, ...(options.device ? { device: options.device } : {}) });
  } catch {
    return null;
  }
  try {
    const sizeBytes = minProbeBytes(options.family, 'echo');
    const reports = await transport.sendRound(new Array<number>(ECHO_PROBES).fill(sizeBytes), ECHO_TIMEOUT_MS);
    return reports.some((r) => r.outcome === 'passed');
  } catch {
    return null;
  } finally {
    await transport.close();
  }
}
