import { readFile } from 'node:fs/promises';
import { exec } from '../exec.js';
import { minProbeBytes } from './probePackets.js';
import { openProbeTransport } from './probeTransport.js';

/** Long enough for a loaded kernel; the kernel answers echo even when the agent process is stalled. */
const ECHO_TIMEOUT_MS = 1000;
const ECHO_PROBES = 2;
/**
 * When to look for the neighbour entry once the echoes are out: the send has asked the kernel
 * for one, and an entry being resolved stays INCOMPLETE for seconds (3 solicitations, 1 s apart).
 */
const NEIGHBOUR_LOOK_AFTER_MS = 100;
/** Loopback, WireGuard and other tunnels resolve no neighbours: no entry there means nothing. */
const IFF_LOOPBACK = 0x8;
const IFF_NOARP = 0x80;

export interface SilentPeerCheck {
  /**
   * Did the peer host's kernel answer ICMP echo? The kernel answers without the agent process, so
   * true means packets reach the host and only its responder stayed silent (stalled, stopped, too
   * loaded). null when the echo sockets could not be opened.
   */
  hostAnsweredEcho: boolean | null;
  /**
   * Did this kernel hold a neighbour (ARP / ND) entry for the next hop right after sending to it,
   * in any state? false means it refused to create one: the neighbour table is full (gc_thresh3,
   * one table per kernel) and every packet to that neighbour is dropped before the wire, without
   * an error to the socket. null on a device without neighbours (loopback, NOARP) or when `ip neigh` could
   * not be asked.
   */
  neighbourEntry: boolean | null;
}

/**
 * After a keyed handshake nobody answered: is the peer host there at all, and could this host even
 * reach its next hop? Only smallest-size echoes go out, to the address the handshake was already
 * aimed at, so this never turns an agent into a tool against an arbitrary address.
 */
export async function checkSilentPeer(options: { address: string; family: 4 | 6; device: string; nextHop: string }): Promise<SilentPeerCheck> {
  let transport;
  try {
    transport = await openProbeTransport({ target: { mode: 'echo', address: options.address }, device: options.device });
  } catch {
    return { hostAnsweredEcho: null, neighbourEntry: await neighbourEntry(options.nextHop, options.device) };
  }
  try {
    const sizeBytes = minProbeBytes(options.family, 'echo');
    const round = transport.sendRound(new Array<number>(ECHO_PROBES).fill(sizeBytes), ECHO_TIMEOUT_MS);
    const entry = new Promise<boolean | null>((resolve) => {
      setTimeout(() => resolve(neighbourEntry(options.nextHop, options.device)), NEIGHBOUR_LOOK_AFTER_MS);
    });
    const [reports, neighbour] = await Promise.all([round.catch(() => null), entry]);
    return { hostAnsweredEcho: reports === null ? null : reports.some((r) => r.outcome === 'passed'), neighbourEntry: neighbour };
  } finally {
    await transport.close();
  }
}

async function neighbourEntry(address: string, device: string): Promise<boolean | null> {
  try {
    const flags = Number.parseInt((await readFile(`/sys/class/net/${device}/flags`, 'utf8')).trim(), 16);
    if (!Number.isInteger(flags) || (flags & (IFF_LOOPBACK | IFF_NOARP)) !== 0) return null;
    const result = await exec('ip', ['-j', 'neigh', 'show', 'to', address, 'dev', device], { timeoutMs: 3000 });
    if (result.exitCode !== 0) return null;
    const entries = JSON.parse(result.stdout || '[]') as unknown[];
    return Array.isArray(entries) ? entries.length > 0 : null;
  } catch {
    return null;
  }
}
