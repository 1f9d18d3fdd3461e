/**
 * Pure byte layouts of the probe transport: the UDP probe and the responder's ack, the ICMP echo
 * request, and the parsing of what a raw ICMP / ICMPv6 socket receives. Sizes are whole IP packet
 * bytes throughout (the number `ip link set mtu` compares against). Parsers never throw: anything
 * malformed or truncated comes back as null, so hostile input cannot crash an agent.
 */
import { canonicalAddress } from '../../proto/ipAddress.js';

export type IpFamily = 4 | 6;

export const IP_HEADER_BYTES: Readonly<Record<IpFamily, number>> = { 4: 20, 6: 40 };
export const UDP_HEADER_BYTES = 8;
export const ICMP_HEADER_BYTES = 8;
export const KEY_BYTES = 16;

/** Probe payload: magic, seq (uint32 BE), key, then padding. */
export const PROBE_MAGIC = Buffer.from('PPRB', 'latin1');
export const PROBE_HEADER_BYTES = 4 + 4 + KEY_BYTES;
/** Ack: magic, seq, receivedBytes (uint32 BE each), key. */
export const ACK_MAGIC = Buffer.from('PPAK', 'latin1');
export const ACK_BYTES = 4 + 4 + 4 + KEY_BYTES;

/** Echo payloads carry the magic and the full probe seq when they have room (the echo seq is 16 bits). */
const ECHO_TAG_BYTES = 8;

/** The IPv4 total-length field caps v4 at 65535; IPv6 (no jumbograms) carries a 65535-byte payload. */
export const MAX_PROBE_BYTES: Readonly<Record<IpFamily, number>> = { 4: 65_535, 6: 65_535 + 40 };

export function minProbeBytes(family: IpFamily, mode: 'peer' | 'echo'): number {
  const l4 = mode === 'peer' ? UDP_HEADER_BYTES + PROBE_HEADER_BYTES : ICMP_HEADER_BYTES;
  return IP_HEADER_BYTES[family] + l4;
}

const KEY_HEX = /^[0-9a-fA-F]{32}$/;

/** The 16-byte key from its 32 hex digits; throws a TypeError on anything else (caller input, not wire input). */
export function keyFromHex(keyHex: string): Buffer {
  if (!KEY_HEX.test(keyHex)) throw new TypeError('key must be 32 hex digits');
  return Buffer.from(keyHex, 'hex');
}

/** RFC 1071 ones' complement checksum, the same algorithm as raw-socket's createChecksum. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (even < bytes.length) sum += (bytes[even] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The UDP header and payload of a peer-mode probe of `sizeBytes` (the kernel adds the IP header).
 * Checksum 0: "none" over IPv4; over IPv6 the kernel fills it when IPV6_CHECKSUM is set.
 */
export function buildUdpProbe(p: {
  family: IpFamily; sizeBytes: number; sourcePort: number; destinationPort: number; seq: number; key: Buffer;
}): Buffer {
  const udpLength = p.sizeBytes - IP_HEADER_BYTES[p.family];
  if (!Number.isInteger(p.sizeBytes) || udpLength < UDP_HEADER_BYTES + PROBE_HEADER_BYTES || p.sizeBytes > MAX_PROBE_BYTES[p.family]) {
    throw new RangeError(`UDP probe size ${p.sizeBytes} B is outside ${minProbeBytes(p.family, 'peer')}..${MAX_PROBE_BYTES[p.family]} B for IPv${p.family}`);
  }
  const b = Buffer.alloc(udpLength);
  b.writeUInt16BE(p.sourcePort, 0);
  b.writeUInt16BE(p.destinationPort, 2);
  b.writeUInt16BE(udpLength, 4);
  PROBE_MAGIC.copy(b, 8);
  b.writeUInt32BE(p.seq >>> 0, 12);
  p.key.copy(b, 16, 0, KEY_BYTES);
  return b;
}

/** The 20 bits of an IPv6 flow label. */
export const FLOW_LABEL_MASK = 0xfffff;
const IPPROTO_UDP = 17;

/** The 16 bytes of an IPv6 address in any RFC 4291 text form (no zone). */
export function ipv6Bytes(address: string): Buffer {
  const canonical = canonicalAddress(address.split('%', 1)[0] as string);
  const [head, tail] = canonical.includes('::') ? canonical.split('::', 2) as [string, string] : [canonical, null];
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === null ? [] : groups(tail);
  const all = tail === null ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw new TypeError(`not an IPv6 address: ${address}`);
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/**
 * A whole IPv6 peer probe, header included, for an IPV6_HDRINCL socket: the one way to give each
 * flow its own flow label (switches that hash IPv6 on the label would otherwise put every flow of
 * a raw socket on one path, since the kernel's automatic label sees no ports). The UDP checksum is
 * ours to fill (RFC 8200 §8.1; 0 is sent as 0xffff).
 */
export function buildIpv6UdpProbe(p: {
  sizeBytes: number; source: string; destination: string; flowLabel: number; hopLimit: number;
  sourcePort: number; destinationPort: number; seq: number; key: Buffer;
}): Buffer {
  const udp = buildUdpProbe({ family: 6, sizeBytes: p.sizeBytes, sourcePort: p.sourcePort, destinationPort: p.destinationPort, seq: p.seq, key: p.key });
  const header = Buffer.alloc(IP_HEADER_BYTES[6]);
  header.writeUInt32BE(((6 << 28) | (p.flowLabel & FLOW_LABEL_MASK)) >>> 0, 0);
  header.writeUInt16BE(udp.length, 4);
  header[6] = IPPROTO_UDP;
  header[7] = p.hopLimit;
  ipv6Bytes(p.source).copy(header, 8);
  ipv6Bytes(p.destination).copy(header, 24);
  const pseudo = Buffer.alloc(40);
  header.copy(pseudo, 0, 8, 40);
  pseudo.writeUInt32BE(udp.length, 32);
  pseudo[39] = IPPROTO_UDP;
  const checksum = internetChecksum(Buffer.concat([pseudo, udp]));
  udp.writeUInt16BE(checksum === 0 ? 0xffff : checksum, 6);
  return Buffer.concat([header, udp]);
}

/** An ICMP (v4, checksummed here) or ICMPv6 (the kernel checksums it) echo request of `sizeBytes`. */
export function buildEchoRequest(p: { family: IpFamily; sizeBytes: number; id: number; seq: number; probeSeq: number }): Buffer {
  const icmpLength = p.sizeBytes - IP_HEADER_BYTES[p.family];
  if (!Number.isInteger(p.sizeBytes) || icmpLength < ICMP_HEADER_BYTES || p.sizeBytes > MAX_PROBE_BYTES[p.family]) {
    throw new RangeError(`echo probe size ${p.sizeBytes} B is outside ${minProbeBytes(p.family, 'echo')}..${MAX_PROBE_BYTES[p.family]} B for IPv${p.family}`);
  }
  // Zeroed, so type/code/checksum start clean (a stray checksum makes the target drop it silently).
  const b = Buffer.alloc(icmpLength);
  b[0] = p.family === 4 ? 8 : 128;
  b.writeUInt16BE(p.id & 0xffff, 4);
  b.writeUInt16BE(p.seq & 0xffff, 6);
  if (icmpLength >= ICMP_HEADER_BYTES + ECHO_TAG_BYTES) {
    PROBE_MAGIC.copy(b, 8);
    b.writeUInt32BE(p.probeSeq >>> 0, 12);
  }
  if (p.family === 4) b.writeUInt16BE(internetChecksum(b), 2);
  return b;
}

/** A UDP payload as a responder receives it: magic, seq and key, or null when it is not a probe. */
export function parseProbePayload(payload: Buffer): { seq: number; key: Buffer } | null {
  if (payload.length < PROBE_HEADER_BYTES || !payload.subarray(0, 4).equals(PROBE_MAGIC)) return null;
  return { seq: payload.readUInt32BE(4), key: Buffer.from(payload.subarray(8, 8 + KEY_BYTES)) };
}

export function buildAck(p: { seq: number; receivedBytes: number; key: Buffer }): Buffer {
  const b = Buffer.alloc(ACK_BYTES);
  ACK_MAGIC.copy(b, 0);
  b.writeUInt32BE(p.seq >>> 0, 4);
  b.writeUInt32BE(p.receivedBytes >>> 0, 8);
  p.key.copy(b, 12, 0, KEY_BYTES);
  return b;
}

export function parseAck(b: Buffer): { seq: number; receivedBytes: number; key: Buffer } | null {
  if (b.length !== ACK_BYTES || !b.subarray(0, 4).equals(ACK_MAGIC)) return null;
  return { seq: b.readUInt32BE(4), receivedBytes: b.readUInt32BE(8), key: Buffer.from(b.subarray(12, 12 + KEY_BYTES)) };
}

export interface QuotedPacket {
  /** The quoted packet's own IP size (v4 total length; v6 payload length + 40). */
  sizeBytes: number;
  /** Quoted protocol / IPv6 next header (17 UDP, 1 ICMP, 58 ICMPv6). */
  protocol: number;
  destination: string;
  /** IPv6: the quoted flow label (20 bits). */
  flowLabel?: number;
  sourcePort?: number;
  destinationPort?: number;
  udpLengthBytes?: number;
  echoId?: number;
  echoSeq?: number;
  /** From a pathprobe payload, when the quote reaches it (Linux quotes 548 B; RFC 792 only 8). */
  probeSeq?: number;
  /** The probe key, when the quote reaches it. */
  probeKeyHex?: string;
}

export type IcmpMessage =
  | { kind: 'echo-reply'; id: number; seq: number; sizeBytes: number; probeSeq?: number }
  | { kind: 'too-big'; mtuBytes: number; quoted: QuotedPacket }
  /** A router's hop limit ran out on the quoted packet (v4 type 11, v6 type 3, code 0): traceroute's answer. */
  | { kind: 'time-exceeded'; quoted: QuotedPacket }
  | { kind: 'other'; type: number; code: number };

/** What a raw IPv4 ICMP socket received: the buffer starts with the (variable-length) IPv4 header. */
export function parseIcmpV4(b: Buffer): IcmpMessage | null {
  if (b.length < 20 || (b[0] as number) >> 4 !== 4) return null;
  const o = ((b[0] as number) & 0x0f) * 4;
  if (o < 20 || b.length < o + ICMP_HEADER_BYTES) return null;
  const type = b[o] as number;
  const code = b[o + 1] as number;
  if (type === 0 && code === 0) {
    return { kind: 'echo-reply', id: b.readUInt16BE(o + 4), seq: b.readUInt16BE(o + 6), sizeBytes: b.readUInt16BE(2), ...echoTag(b, o) };
  }
  const tooBig = type === 3 && code === 4;
  if (tooBig || (type === 11 && code === 0)) {
    const quoted = quotedIpv4(b, o + ICMP_HEADER_BYTES);
    if (quoted === null) return null;
    return tooBig ? { kind: 'too-big', mtuBytes: b.readUInt16BE(o + 6), quoted } : { kind: 'time-exceeded', quoted };
  }
  return { kind: 'other', type, code };
}

/** What a raw ICMPv6 socket received: the kernel strips the IPv6 header, the buffer starts at the ICMPv6 type. */
export function parseIcmpV6(b: Buffer): IcmpMessage | null {
  if (b.length < ICMP_HEADER_BYTES) return null;
  const type = b[0] as number;
  const code = b[1] as number;
  if (type === 129 && code === 0) {
    return { kind: 'echo-reply', id: b.readUInt16BE(4), seq: b.readUInt16BE(6), sizeBytes: b.length + 40, ...echoTag(b, 0) };
  }
  const tooBig = type === 2 && code === 0;
  if (tooBig || (type === 3 && code === 0)) {
    const quoted = quotedIpv6(b, ICMP_HEADER_BYTES);
    if (quoted === null) return null;
    return tooBig ? { kind: 'too-big', mtuBytes: b.readUInt32BE(4), quoted } : { kind: 'time-exceeded', quoted };
  }
  return { kind: 'other', type, code };
}

/** Whose probe a too-big quote must name before it counts: everything checkable has to be ours. */
export type QuoteOwner =
  | { mode: 'peer'; family: IpFamily; destination: string; sourcePort: number; destinationPort: number; keyHex: string; flowLabel?: number }
  | { mode: 'echo'; family: IpFamily; destination: string; echoId: number };

/** The identity of our probe a quote names, or null when any field the quote carries is not ours. */
export function quotedProbeOf(
  q: QuotedPacket,
  owner: QuoteOwner,
): { sizeBytes: number; probeSeq: number | null; echoSeq: number | null } | null {
  if (canonicalAddress(q.destination) !== canonicalAddress(owner.destination)) return null;
  if (q.sizeBytes < minProbeBytes(owner.family, owner.mode) || q.sizeBytes > MAX_PROBE_BYTES[owner.family]) return null;
  if (owner.mode === 'peer') {
    if (q.protocol !== 17 || q.sourcePort !== owner.sourcePort || q.destinationPort !== owner.destinationPort) return null;
    // The UDP length encodes the probe size independently of the IP header: both must agree.
    if (q.udpLengthBytes !== q.sizeBytes - IP_HEADER_BYTES[owner.family]) return null;
    if (q.probeKeyHex !== undefined && q.probeKeyHex !== owner.keyHex.toLowerCase()) return null;
    if (owner.flowLabel !== undefined && q.flowLabel !== undefined && q.flowLabel !== owner.flowLabel) return null;
    return { sizeBytes: q.sizeBytes, probeSeq: q.probeSeq ?? null, echoSeq: null };
  }
  if (q.protocol !== (owner.family === 4 ? 1 : 58) || q.echoId !== owner.echoId || q.echoSeq === undefined) return null;
  return { sizeBytes: q.sizeBytes, probeSeq: q.probeSeq ?? null, echoSeq: q.echoSeq };
}

/** The packet an ICMPv4 error quotes, from offset q: its IP header and, when present, its first L4 bytes. */
function quotedIpv4(b: Buffer, q: number): QuotedPacket | null {
  if (b.length < q + 20 || (b[q] as number) >> 4 !== 4) return null;
  const qIhl = ((b[q] as number) & 0x0f) * 4;
  // RFC 792 guarantees the quoted IP header + 8 bytes; less cannot identify any probe.
  if (qIhl < 20 || b.length < q + qIhl + 8) return null;
  const protocol = b[q + 9] as number;
  return {
    sizeBytes: b.readUInt16BE(q + 2),
    protocol,
    destination: formatIpv4(b.subarray(q + 16, q + 20)),
    ...quotedL4(b, q + qIhl, protocol === 17 ? 'udp' : protocol === 1 ? 'echo4' : null),
  };
}

/** The packet an ICMPv6 error quotes, from offset q, with its flow label. */
function quotedIpv6(b: Buffer, q: number): QuotedPacket | null {
  if (b.length < q + 40 + 8 || (b[q] as number) >> 4 !== 6) return null;
  const protocol = b[q + 6] as number;
  return {
    sizeBytes: b.readUInt16BE(q + 4) + 40,
    protocol,
    destination: formatIpv6(b.subarray(q + 24, q + 40)),
    flowLabel: b.readUInt32BE(q) & FLOW_LABEL_MASK,
    // Extension headers would move the L4 header; our probes have none, so leave such quotes unmatched.
    ...quotedL4(b, q + 40, protocol === 17 ? 'udp' : protocol === 58 ? 'echo6' : null),
  };
}

export function parseIcmp(family: IpFamily, b: Buffer): IcmpMessage | null {
  return family === 4 ? parseIcmpV4(b) : parseIcmpV6(b);
}

function echoTag(b: Buffer, l: number): { probeSeq?: number } {
  const p = l + ICMP_HEADER_BYTES;
  if (b.length < p + ECHO_TAG_BYTES || !b.subarray(p, p + 4).equals(PROBE_MAGIC)) return {};
  return { probeSeq: b.readUInt32BE(p + 4) };
}

function quotedL4(b: Buffer, l: number, kind: 'udp' | 'echo4' | 'echo6' | null): Partial<QuotedPacket> {
  if (kind === null || b.length < l + 8) return {};
  if (kind === 'udp') {
    const out: Partial<QuotedPacket> = {
      sourcePort: b.readUInt16BE(l),
      destinationPort: b.readUInt16BE(l + 2),
      udpLengthBytes: b.readUInt16BE(l + 4),
    };
    const p = l + UDP_HEADER_BYTES;
    if (b.length >= p + 8 && b.subarray(p, p + 4).equals(PROBE_MAGIC)) {
      out.probeSeq = b.readUInt32BE(p + 4);
      if (b.length >= p + PROBE_HEADER_BYTES) out.probeKeyHex = b.subarray(p + 8, p + PROBE_HEADER_BYTES).toString('hex');
    }
    return out;
  }
  // Only a quoted echo *request* is one of ours.
  if ((b[l] as number) !== (kind === 'echo4' ? 8 : 128)) return {};
  return { echoId: b.readUInt16BE(l + 4), echoSeq: b.readUInt16BE(l + 6), ...echoTag(b, l) };
}

function formatIpv4(b: Uint8Array): string {
  return Array.from(b).join('.');
}

function formatIpv6(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16));
  return canonicalAddress(groups.join(':'));
}
