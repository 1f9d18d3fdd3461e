import test from 'ava';
import fc from 'fast-check';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import {
  ACK_BYTES, ACK_MAGIC, KEY_BYTES, buildAck, buildIpv6UdpProbe, buildUdpProbe, internetChecksum, ipv6Bytes, parseAck, parseIcmp,
  parseIcmpV4, parseIcmpV6, parseProbePayload, quotedProbeOf, type QuoteOwner,
} from '../../agent/probe/probePackets.js';
import { openProbeTransport } from '../../agent/probe/probeTransport.js';
import { rawErrorCode } from '../../agent/probe/rawErrorCode.js';

/** Cases per property: fixed, so the suite's length and its coverage are the same every run. */
const RUNS = { arbitraryBytes: 1000, icmpShaped: 1000, forgedQuote: 1000, truncatedQuote: 1000, forgedAck: 40 } as const;

const KEY_HEX = '00112233445566778899aabbccddeeff';
const KEY = Buffer.from(KEY_HEX, 'hex');
// Addresses in the quotes are the benchmarking ranges: these bytes are parsed, never sent.
type PeerOwner = Extract<QuoteOwner, { mode: 'peer' }>;
const PEER4: PeerOwner = { mode: 'peer', family: 4, destination: '198.18.1.2', sourcePort: 40001, destinationPort: 40000, keyHex: KEY_HEX };
const PEER6: PeerOwner = { mode: 'peer', family: 6, destination: '2001:2:0:b::2', sourcePort: 40001, destinationPort: 40000, keyHex: KEY_HEX, flowLabel: 0x12345 };

function noThrow(name: string, parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    throw new Error(`${name} threw on hostile bytes: ${String(error)}`);
  }
}

function parseEverything(bytes: Buffer): void {
  noThrow('parseIcmpV4', () => {
    const message = parseIcmpV4(bytes);
    if (message?.kind === 'too-big' || message?.kind === 'time-exceeded') quotedProbeOf(message.quoted, PEER4);
  });
  noThrow('parseIcmpV6', () => {
    const message = parseIcmpV6(bytes);
    if (message?.kind === 'too-big' || message?.kind === 'time-exceeded') quotedProbeOf(message.quoted, PEER6);
  });
  noThrow('parseAck', () => parseAck(bytes));
  noThrow('parseProbePayload', () => parseProbePayload(bytes));
}

test('the packet parsers never throw on arbitrary bytes', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1600 }), (bytes) => parseEverything(Buffer.from(bytes))), { numRuns: RUNS.arbitraryBytes });
  fc.assert(fc.property(fc.anything(), (value) => noThrow('rawErrorCode', () => rawErrorCode(value))), { numRuns: RUNS.arbitraryBytes });
  t.log(`${RUNS.arbitraryBytes} random byte strings through every parser, ${RUNS.arbitraryBytes} random values through rawErrorCode`);
  t.pass();
});

/** Bytes that get past the first checks: IPv4 / ICMPv6 headers with the error types we parse, then anything. */
const icmpShaped = fc.record({
  ihl: fc.integer({ min: 0, max: 15 }),
  v4Type: fc.constantFrom([3, 4], [11, 0], [0, 0], [3, 3]),
  v6Type: fc.constantFrom([2, 0], [3, 0], [129, 0], [1, 4]),
  quotedFirst: fc.integer({ min: 0, max: 255 }),
  protocol: fc.constantFrom(1, 17, 58, 6, 0),
  rest: fc.uint8Array({ maxLength: 600 }),
}).map(({ ihl, v4Type, v6Type, quotedFirst, protocol, rest }) => {
  const v4 = Buffer.alloc(20 + 8 + 20 + rest.length);
  v4[0] = 0x40 | ihl;
  v4[20] = v4Type[0]!; v4[21] = v4Type[1]!;
  v4[28] = quotedFirst; v4[37] = protocol;
  Buffer.from(rest).copy(v4, 48);
  const v6 = Buffer.alloc(8 + 40 + rest.length);
  v6[0] = v6Type[0]!; v6[1] = v6Type[1]!;
  v6[8] = quotedFirst; v6[14] = protocol;
  Buffer.from(rest).copy(v6, 48);
  return [v4, v6, v4.subarray(0, rest.length % v4.length), v6.subarray(0, rest.length % v6.length)];
});

test('the ICMP parsers never throw on error messages with random headers, lengths and quotes', (t) => {
  fc.assert(fc.property(icmpShaped, (buffers) => buffers.forEach(parseEverything)), { numRuns: RUNS.icmpShaped });
  t.log(`${RUNS.icmpShaped} ICMP-shaped messages, each whole and truncated, as IPv4 and as ICMPv6`);
  t.pass();
});

// ---- forged frag-needed / Packet Too Big ----

const SIZE = 5000;
const MTU = 1400;

/** A frag-needed as a raw IPv4 ICMP socket receives it, quoting `quotedBytes` of our probe's IP packet. */
function fragNeeded4(probe: Buffer): Buffer {
  const outer = Buffer.alloc(20);
  outer[0] = 0x45; outer[9] = 1; outer.writeUInt16BE(20 + 8 + probe.length, 2);
  const icmp = Buffer.alloc(8);
  icmp[0] = 3; icmp[1] = 4; icmp.writeUInt16BE(MTU, 6);
  const message = Buffer.concat([icmp, probe]);
  message.writeUInt16BE(internetChecksum(message), 2);
  return Buffer.concat([outer, message]);
}

/** Our IPv4 probe as a router quotes it: IP header, UDP header, payload, cut at 548 bytes like Linux. */
function quotedProbe4(): Buffer {
  const udp = buildUdpProbe({ family: 4, sizeBytes: SIZE, sourcePort: PEER4.sourcePort, destinationPort: PEER4.destinationPort, seq: 77, key: KEY });
  const ip = Buffer.alloc(20);
  ip[0] = 0x45; ip.writeUInt16BE(SIZE, 2); ip[8] = 64; ip[9] = 17;
  Buffer.from([198, 18, 0, 1]).copy(ip, 12);
  Buffer.from([198, 18, 1, 2]).copy(ip, 16);
  return Buffer.concat([ip, udp]).subarray(0, 548);
}

function packetTooBig6(probe: Buffer): Buffer {
  const icmp = Buffer.alloc(8);
  icmp[0] = 2; icmp.writeUInt32BE(MTU, 4);
  return Buffer.concat([icmp, probe]);
}

function quotedProbe6(): Buffer {
  return buildIpv6UdpProbe({
    sizeBytes: SIZE, source: '2001:2:0:a::1', destination: PEER6.destination, flowLabel: PEER6.flowLabel!, hopLimit: 64,
    sourcePort: PEER6.sourcePort, destinationPort: PEER6.destinationPort, seq: 77, key: KEY,
  }).subarray(0, 1232);
}

/**
 * One field that identifies our probe, and where it sits in the quoted packet: a forger who
 * changes any of them quotes a packet we did not send.
 */
const FORGEABLE4 = [
  { field: 'IP total length', offset: 2, bytes: 2 },
  { field: 'protocol', offset: 9, bytes: 1 },
  { field: 'destination address', offset: 16, bytes: 4 },
  { field: 'UDP source port', offset: 20, bytes: 2 },
  { field: 'UDP destination port', offset: 22, bytes: 2 },
  { field: 'UDP length', offset: 24, bytes: 2 },
  { field: 'probe key', offset: 36, bytes: KEY_BYTES },
] as const;
const FORGEABLE6 = [
  { field: 'flow label', offset: 1, bytes: 3 },
  { field: 'payload length', offset: 4, bytes: 2 },
  { field: 'next header', offset: 6, bytes: 1 },
  { field: 'destination address', offset: 24, bytes: 16 },
  { field: 'UDP source port', offset: 40, bytes: 2 },
  { field: 'UDP destination port', offset: 42, bytes: 2 },
  { field: 'UDP length', offset: 44, bytes: 2 },
  { field: 'probe key', offset: 56, bytes: KEY_BYTES },
] as const;

/** The quote with one identifying field changed (XOR with a nonzero pattern, so it always differs). */
const forgery = (fields: typeof FORGEABLE4 | typeof FORGEABLE6) => fc.constantFrom(...fields).chain((target) => fc.record({
  target: fc.constant(target),
  xor: fc.uint8Array({ minLength: target.bytes, maxLength: target.bytes }).filter((b) => b.some((x) => x !== 0)),
}));

function forge(quote: Buffer, target: { offset: number; bytes: number }, xor: Uint8Array): Buffer {
  const forged = Buffer.from(quote);
  for (let i = 0; i < target.bytes; i += 1) forged[target.offset + i] = (forged[target.offset + i] as number) ^ (xor[i] as number);
  // The flow label is the low 20 bits of its 3 bytes: leave the traffic class's nibble alone.
  if (target.offset === 1) forged[1] = ((quote[1] as number) & 0xf0) | ((forged[1] as number) & 0x0f);
  return forged;
}

test('a genuine frag-needed or Packet Too Big quoting our probe is matched (so the forgeries below can fail)', (t) => {
  const v4 = parseIcmp(4, fragNeeded4(quotedProbe4()));
  t.is(v4?.kind, 'too-big');
  t.deepEqual(v4?.kind === 'too-big' ? quotedProbeOf(v4.quoted, PEER4) : null, { sizeBytes: SIZE, probeSeq: 77, echoSeq: null });
  const v6 = parseIcmp(6, packetTooBig6(quotedProbe6()));
  t.is(v6?.kind, 'too-big');
  t.deepEqual(v6?.kind === 'too-big' ? quotedProbeOf(v6.quoted, PEER6) : null, { sizeBytes: SIZE, probeSeq: 77, echoSeq: null });
});

test('a forged frag-needed or Packet Too Big whose quote differs from our probe in any identifying field lowers nothing', (t) => {
  const genuine4 = quotedProbe4();
  const genuine6 = quotedProbe6();
  fc.assert(fc.property(forgery(FORGEABLE4), forgery(FORGEABLE6), (f4, f6) => {
    const forged4 = forge(genuine4, f4.target, f4.xor);
    const forged6 = forge(genuine6, f6.target, f6.xor);
    // An XOR that only touched the traffic class's nibble left the flow label as it was: no forgery.
    if (f6.target.field === 'flow label' && forged6.equals(genuine6)) return;
    for (const [family, bytes, owner, field] of [[4, fragNeeded4(forged4), PEER4, f4.target.field], [6, packetTooBig6(forged6), PEER6, f6.target.field]] as const) {
      const message = parseIcmp(family, bytes);
      const matched = message?.kind === 'too-big' ? quotedProbeOf(message.quoted, owner) : null;
      if (matched !== null) throw new Error(`IPv${family}: a quote with a forged ${field} was taken for our probe: ${JSON.stringify(matched)}`);
    }
  }), { numRuns: RUNS.forgedQuote, includeErrorInReport: true });
  t.log(`${RUNS.forgedQuote} forged quotes per family`);
  t.pass();
});

test('a truncated quote either still names our probe at its true size, or names nothing', (t) => {
  const genuine4 = fragNeeded4(quotedProbe4());
  const genuine6 = packetTooBig6(quotedProbe6());
  fc.assert(fc.property(fc.nat(genuine4.length), fc.nat(genuine6.length), (cut4, cut6) => {
    for (const [family, bytes, owner] of [[4, genuine4.subarray(0, cut4), PEER4], [6, genuine6.subarray(0, cut6), PEER6]] as const) {
      const message = parseIcmp(family, bytes);
      const matched = message?.kind === 'too-big' ? quotedProbeOf(message.quoted, owner) : null;
      if (matched !== null && matched.sizeBytes !== SIZE) throw new Error(`IPv${family} cut at ${bytes.length}: matched at ${matched.sizeBytes} B`);
    }
  }), { numRuns: RUNS.truncatedQuote, includeErrorInReport: true });
  t.log(`${RUNS.truncatedQuote} truncations per family`);
  t.pass();
});

// ---- keyed acknowledgements, over real sockets on loopback ----

type AckForgery = 'honest' | 'wrong key' | 'wrong magic' | 'one byte short' | 'one byte long' | 'from another port' | 'wrong seq';

test('an acknowledgement without the sweep\'s key, or from anywhere but the responder, is ignored', async (t) => {
  // A stand-in responder on 127.0.0.1 that answers each probe with the ack the case asks for.
  const responder = dgram.createSocket('udp4');
  const stranger = dgram.createSocket('udp4');
  t.teardown(() => { responder.close(); stranger.close(); });
  await Promise.all([responder, stranger].map((socket) => new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))));
  let answer: { forgery: AckForgery; wrongKey: Buffer } = { forgery: 'honest', wrongKey: Buffer.alloc(KEY_BYTES) };
  responder.on('message', (msg, rinfo) => {
    const probe = parseProbePayload(msg);
    if (probe === null) return;
    const { forgery: kind, wrongKey } = answer;
    let ack = buildAck({ seq: kind === 'wrong seq' ? probe.seq + 1 : probe.seq, receivedBytes: msg.length + 28, key: kind === 'wrong key' ? wrongKey : probe.key });
    if (kind === 'wrong magic') ack = Buffer.concat([Buffer.from('PPRB'), ack.subarray(ACK_MAGIC.length)]);
    if (kind === 'one byte short') ack = ack.subarray(0, ACK_BYTES - 1);
    if (kind === 'one byte long') ack = Buffer.concat([ack, Buffer.from([0])]);
    (kind === 'from another port' ? stranger : responder).send(ack, rinfo.port, rinfo.address);
  });
  const transport = await openProbeTransport({ target: { mode: 'peer', address: '127.0.0.1', port: (responder.address() as AddressInfo).port, keyHex: KEY_HEX } });
  t.teardown(() => transport.close());

  const seen = new Map<AckForgery, number>();
  await fc.assert(fc.asyncProperty(
    fc.constantFrom<AckForgery>('honest', 'wrong key', 'wrong magic', 'one byte short', 'one byte long', 'from another port', 'wrong seq'),
    fc.uint8Array({ minLength: KEY_BYTES, maxLength: KEY_BYTES }).map((b) => Buffer.from(b)).filter((b) => !b.equals(KEY)),
    async (forgery, wrongKey) => {
      answer = { forgery, wrongKey };
      seen.set(forgery, (seen.get(forgery) ?? 0) + 1);
      const [report] = await transport.sendRound([1500], 80);
      const expected = forgery === 'honest' ? 'passed' : 'silent';
      if (report?.outcome !== expected) throw new Error(`an ack with ${forgery} made the probe ${report?.outcome}, not ${expected}`);
    },
  ), { numRuns: RUNS.forgedAck, includeErrorInReport: true });
  t.log(`${RUNS.forgedAck} probes answered by forged or honest acks: ${JSON.stringify(Object.fromEntries(seen))}`);
  t.pass();
});

test('the IPv6 byte form of an address used in the quotes is what the parser reads back', (t) => {
  // Guards the fixtures above: a quote built from the wrong bytes would make every forgery test vacuous.
  t.deepEqual(ipv6Bytes(PEER6.destination), quotedProbe6().subarray(24, 40));
});
