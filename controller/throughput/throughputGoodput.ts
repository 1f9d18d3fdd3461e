import type { IpFamily } from '../model/throughputMatrix.js';
/**
 * The largest TCP goodput an Ethernet link can carry at a given IP MTU: every byte that is not
 * application payload costs link time too.
 *
 *   payload per packet = MTU − IP header (20 IPv4 / 40 IPv6) − TCP header 20 − TCP timestamps 12
 *   wire time per packet = MTU + 14 Ethernet header + 4 FCS + 8 preamble/SFD + 12 inter-frame gap
 *
 *   IPv4, MTU 1500: (1500 − 20 − 20 − 12) / (1500 + 38) = 1448 / 1538 ≈ 0.9415 → 94.1 % of the link
 *   IPv4, MTU 9000: (9000 − 20 − 20 − 12) / (9000 + 38) = 8948 / 9038 ≈ 0.9900 → 99.0 % of the link
 *   IPv6, MTU 1500: 1428 / 1538 ≈ 92.8 %;  IPv6, MTU 9000: 8928 / 9038 ≈ 98.8 %
 *
 * So on a link-limited path, jumbo frames can add at most 99.0 / 94.1 − 1 ≈ 5.2 % (IPv4): a bigger
 * jumbo gain means the hosts, not the link, were the limit at 1500.
 */

export const IPV4_HEADER_BYTES = 20;
export const IPV6_HEADER_BYTES = 40;
export const TCP_HEADER_BYTES = 20;
/** The timestamp option Linux puts on every segment (10 bytes + 2 of padding). */
export const TCP_TIMESTAMPS_BYTES = 12;
/** Ethernet header 14 + FCS 4 + preamble/SFD 8 + inter-frame gap 12: the wire cost of a frame beyond its IP packet. */
export const ETHERNET_WIRE_OVERHEAD_BYTES = 14 + 4 + 8 + 12;


export function ipHeaderBytes(family: IpFamily): number {
  return family === 4 ? IPV4_HEADER_BYTES : IPV6_HEADER_BYTES;
}

/** TCP payload per full-size segment at this IP MTU, timestamps on (what `ss -ti` shows as `mss:`). */
export function segmentPayloadBytes(mtuBytes: number, family: IpFamily): number {
  return mtuBytes - ipHeaderBytes(family) - TCP_HEADER_BYTES - TCP_TIMESTAMPS_BYTES;
}

/** The fraction of the link's bit rate that can be TCP payload at this MTU (see the arithmetic above). */
export function goodputFraction(mtuBytes: number, family: IpFamily): number {
  return segmentPayloadBytes(mtuBytes, family) / (mtuBytes + ETHERNET_WIRE_OVERHEAD_BYTES);
}

/** The maximum TCP goodput, in bits per second, of a link of `linkSpeedMbps` at this MTU. */
export function maxGoodputBitsPerSecond(linkSpeedMbps: number, mtuBytes: number, family: IpFamily): number {
  return linkSpeedMbps * 1e6 * goodputFraction(mtuBytes, family);
}
