import { isIP } from 'node:net';
import { mssForMtu } from '../throughput/throughputRows.js';
import type { Endpoint } from '../model/endpoint.js';

/** `ping -s` is the ICMP payload: the IP packet is that + 8 ICMP + 20 IPv4 (28) or 40 IPv6 (48). */
export function pingPayloadBytes(packetBytes: number, family: 4 | 6): number {
  return packetBytes - (family === 4 ? 28 : 48);
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

const at = (e: Endpoint) => `on ${e.agent}`;

/**
 * Commands that show a path MTU of `pathMtu` from `sender` to `receiver` by hand, run on the
 * sender: a don't-fragment ping one byte over the boundary fails, one at the boundary works.
 * `-I` pins the source address so a host with several NICs tests the right one. Pure.
 */
export function pathMtuRepro(sender: Endpoint, receiver: Endpoint, pathMtu: number): string[] {
  const family = familyOf(receiver.address);
  const ping = (bytes: number) => `ping -M do -s ${pingPayloadBytes(bytes, family)} -c 3 -I ${sender.address} ${receiver.address}`;
  return [
    `${ping(pathMtu + 1)}   # ${at(sender)}: fails, ${pathMtu + 1}-byte packets do not arrive`,
    `${ping(pathMtu)}   # ${at(sender)}: works, ${pathMtu}-byte packets arrive`,
  ];
}

/** A router that answers frag-needed shows up in tracepath's "pmtu" column. */
export function tracepathRepro(sender: Endpoint, receiver: Endpoint): string {
  return `tracepath -n ${receiver.address}   # ${at(sender)}: the hop where "pmtu" drops is the limiting router`;
}

/** Small packets must get through before any size can be judged. */
export function reachabilityRepro(sender: Endpoint, receiver: Endpoint): string[] {
  return [
    `ping -c 3 -I ${sender.address} ${receiver.address}   # ${at(sender)}: no replies = not reachable (route, firewall, link down)`,
  ];
}

/**
 * iperf3 by hand, run as a one-shot server on the receiver and a client on the sender.
 * - 'stall': full-size segments stall when the path drops large packets silently; the same test
 *   with the MSS clamped to fit `clampMtu` works;
 * - 'compare': the two rates side by side (jumbo slower than 1500).
 * Pure.
 */
export function iperfRepro(sender: Endpoint, receiver: Endpoint, clampMtu: number | null, mode: 'stall' | 'compare' = 'stall'): string[] {
  const family = familyOf(receiver.address);
  const client = `iperf3 -c ${receiver.address} -B ${sender.address} -t 5`;
  const lines = [`iperf3 -s -1   # ${at(receiver)}: a one-shot server (start it again before each client run)`];
  if (mode === 'compare') {
    lines.push(`${client}   # ${at(sender)}: full-size segments at the NIC MTU; note the rate`);
    if (clampMtu !== null) lines.push(`${client} -M ${mssForMtu(clampMtu, family)}   # ${at(sender)}: segments that fit ${clampMtu}-byte packets; compare the rate`);
    return lines;
  }
  lines.push(`${client}   # ${at(sender)}: full-size segments${clampMtu === null ? '' : '; stalls (0 bytes received) when they exceed the path'}`);
  if (clampMtu !== null) lines.push(`${client} -M ${mssForMtu(clampMtu, family)}   # ${at(sender)}: segments clamped to fit ${clampMtu}-byte packets; works`);
  return lines;
}
