import test from 'ava';
import { readFileSync } from 'node:fs';
import raw from 'raw-socket';
import {
  ACK_BYTES,
  buildAck,
  buildEchoRequest,
  buildIpv6UdpProbe,
  buildUdpProbe,
  internetChecksum,
  ipv6Bytes,
  keyFromHex,
  parseAck,
  parseIcmpV4,
  parseIcmpV6,
  parseProbePayload,
  quotedProbeOf,
  type IcmpMessage,
  type QuoteOwner,
  type QuotedPacket,
} from '../../agent/probe/probePackets.js';
import { rawErrorCode } from '../../agent/probe/rawErrorCode.js';

// Compiled to dist/test/agent/: the fixtures stay in the source tree (see their README.md).
const FIXTURES = new URL('../../../test/fixtures/packets/', import.meta.url);
const fixture = (name: string): Buffer => Buffer.from(readFileSync(new URL(`${name}.hex`, FIXTURES), 'utf8').replace(/\s+/g, ''), 'hex');

const KEY_HEX = '00112233445566778899aabbccddeeff';
const PEER4: QuoteOwner = { mode: 'peer', family: 4, destination: '198.18.1.2', sourcePort: 40001, destinationPort: 40000, keyHex: KEY_HEX };
const PEER6: QuoteOwner = { mode: 'peer', family: 6, destination: '2001:2:0:b::2', sourcePort: 40001, destinationPort: 40000, keyHex: KEY_HEX };

function tooBig(message: IcmpMessage | null): { mtuBytes: number; quoted: QuotedPacket } {
  if (message?.kind !== 'too-big') throw new Error(`expected too-big, got ${JSON.stringify(message)}`);
  return message;
}

test('IPv4 frag-needed captured from a Linux router quotes our UDP probe', (t) => {
  const b = fixture('ipv4-frag-needed-udp');
  t.is(b.length, 576);
  const m = tooBig(parseIcmpV4(b));
  t.is(m.mtuBytes, 4000);
  t.deepEqual(m.quoted, {
    sizeBytes: 5000,
    protocol: 17,
    destination: '198.18.1.2',
    sourcePort: 40001,
    destinationPort: 40000,
    udpLengthBytes: 4980,
    probeSeq: 77,
    probeKeyHex: KEY_HEX,
  });
  t.deepEqual(quotedProbeOf(m.quoted, PEER4), { sizeBytes: 5000, probeSeq: 77, echoSeq: null });
});

test('IPv6 Packet Too Big captured from a Linux router quotes our UDP probe', (t) => {
  const b = fixture('ipv6-packet-too-big-udp');
  t.is(b.length, 1240);
  const m = tooBig(parseIcmpV6(b));
  t.is(m.mtuBytes, 4000);
  t.deepEqual(m.quoted, {
    sizeBytes: 5000,
    protocol: 17,
    destination: '2001:2:0:b::2',
    flowLabel: 202727,
    sourcePort: 40001,
    destinationPort: 40000,
    udpLengthBytes: 4960,
    probeSeq: 77,
    probeKeyHex: KEY_HEX,
  });
  t.deepEqual(quotedProbeOf(m.quoted, { ...PEER6, destination: '2001:2:0:B:0::2' }), { sizeBytes: 5000, probeSeq: 77, echoSeq: null });
});

test('captured echo replies parse with id, seq, size and the probe seq', (t) => {
  t.deepEqual(parseIcmpV4(fixture('ipv4-echo-reply')), { kind: 'echo-reply', id: 0x1234, seq: 7, sizeBytes: 1000, probeSeq: 7 });
  t.deepEqual(parseIcmpV6(fixture('ipv6-echo-reply')), { kind: 'echo-reply', id: 0x1234, seq: 7, sizeBytes: 1000, probeSeq: 7 });
});

test('an RFC 792 minimum quote (IP header + 8 bytes) still identifies the probe by size, without seq', (t) => {
  const v4 = tooBig(parseIcmpV4(fixture('ipv4-frag-needed-udp').subarray(0, 20 + 8 + 20 + 8)));
  t.is(v4.quoted.probeSeq, undefined);
  t.deepEqual(quotedProbeOf(v4.quoted, PEER4), { sizeBytes: 5000, probeSeq: null, echoSeq: null });
  const v6 = tooBig(parseIcmpV6(fixture('ipv6-packet-too-big-udp').subarray(0, 8 + 40 + 8)));
  t.deepEqual(quotedProbeOf(v6.quoted, PEER6), { sizeBytes: 5000, probeSeq: null, echoSeq: null });
});

test('every truncation of every fixture parses without throwing; too short for the L4 quote is null', (t) => {
  for (const [name, parse, minTooBig] of [
    ['ipv4-frag-needed-udp', parseIcmpV4, 56],
    ['ipv6-packet-too-big-udp', parseIcmpV6, 56],
    ['ipv4-echo-reply', parseIcmpV4, 28],
    ['ipv6-echo-reply', parseIcmpV6, 8],
  ] as const) {
    const b = fixture(name);
    for (let n = 0; n <= b.length; n++) {
      const got = parse(b.subarray(0, n));
      if (n < minTooBig) t.is(got, null, `${name} cut to ${n} B`);
      else t.not(got, null, `${name} cut to ${n} B`);
    }
  }
});

test('garbage never throws', (t) => {
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(Array.from({ length: next() + (i % 7) * 100 }, next));
    if (i % 3 === 0 && b.length > 0) b[0] = 0x45; // look like IPv4 to reach deeper code
    if (i % 5 === 0 && b.length > 28) {
      b[20] = 3; // frag-needed
      b[21] = 4;
    }
    t.notThrows(() => parseIcmpV4(b));
    t.notThrows(() => parseIcmpV6(b));
  }
  t.is(parseIcmpV4(Buffer.alloc(64)), null, 'version 0 is not IPv4');
  const badQuote = fixture('ipv6-packet-too-big-udp');
  badQuote[8] = 0x40; // quoted header claims IPv4
  t.is(parseIcmpV6(badQuote), null);
});

test('bogus quotes do not match', (t) => {
  const v4 = tooBig(parseIcmpV4(fixture('ipv4-frag-needed-udp'))).quoted;
  const v6 = tooBig(parseIcmpV6(fixture('ipv6-packet-too-big-udp'))).quoted;
  for (const [q, owner] of [[v4, PEER4], [v6, PEER6]] as const) {
    t.is(quotedProbeOf({ ...q, destination: owner.family === 4 ? '198.18.1.3' : '2001:2:0:b::3' }, owner), null, 'other destination');
    t.is(quotedProbeOf({ ...q, sourcePort: 40002 }, owner), null, 'other source port');
    t.is(quotedProbeOf({ ...q, destinationPort: 53 }, owner), null, 'other destination port');
    t.is(quotedProbeOf({ ...q, udpLengthBytes: 1000 }, owner), null, 'UDP length disagrees with the quoted size');
    t.is(quotedProbeOf({ ...q, probeKeyHex: 'ff'.repeat(16) }, owner), null, 'other key');
    t.is(quotedProbeOf({ ...q, protocol: 6 }, owner), null, 'TCP');
    t.is(quotedProbeOf(q, { mode: 'echo', family: owner.family, destination: owner.destination, echoId: 0x1234 }), null, 'UDP quote in echo mode');
  }
  // A captured UDP quote re-labelled as ICMP carries no echo request: no echo id to match.
  t.is(quotedProbeOf({ ...v4, protocol: 1 }, { mode: 'echo', family: 4, destination: '198.18.1.2', echoId: 0x9c41 }), null);
});

test('a quoted echo request of ours matches on id and seq', (t) => {
  const request = buildEchoRequest({ family: 4, sizeBytes: 5000, id: 0xbeef, seq: 3, probeSeq: 70_003 });
  // Frame it the way a router would: outer IPv4 + ICMP 3/4, quoted IPv4 header, first 548 B.
  const quotedIp = Buffer.alloc(20);
  quotedIp[0] = 0x45;
  quotedIp.writeUInt16BE(5000, 2);
  quotedIp[9] = 1;
  Buffer.from([198, 18, 1, 2]).copy(quotedIp, 16);
  const icmp = Buffer.concat([Buffer.from([3, 4, 0, 0, 0, 0, 0x0f, 0xa0]), quotedIp, request.subarray(0, 528)]);
  const outer = Buffer.alloc(20);
  outer[0] = 0x45;
  outer.writeUInt16BE(20 + icmp.length, 2);
  const m = tooBig(parseIcmpV4(Buffer.concat([outer, icmp])));
  t.like(m.quoted, { sizeBytes: 5000, protocol: 1, echoId: 0xbeef, echoSeq: 3, probeSeq: 70_003 });
  const owner: QuoteOwner = { mode: 'echo', family: 4, destination: '198.18.1.2', echoId: 0xbeef };
  t.deepEqual(quotedProbeOf(m.quoted, owner), { sizeBytes: 5000, probeSeq: 70_003, echoSeq: 3 });
  t.is(quotedProbeOf(m.quoted, { ...owner, echoId: 0xbeee }), null);
});

test('UDP probe layout: header, magic, seq, key, exact size', (t) => {
  const key = keyFromHex(KEY_HEX);
  const p = buildUdpProbe({ family: 4, sizeBytes: 1500, sourcePort: 40001, destinationPort: 40000, seq: 0xdeadbeef, key });
  t.is(p.length, 1480);
  t.is(p.readUInt16BE(4), 1480);
  t.is(p.readUInt16BE(6), 0, 'checksum 0 (none over IPv4; kernel-filled over IPv6)');
  t.deepEqual(parseProbePayload(p.subarray(8)), { seq: 0xdeadbeef, key });
  t.is(buildUdpProbe({ family: 6, sizeBytes: 1280, sourcePort: 1, destinationPort: 2, seq: 1, key }).length, 1240);
  t.throws(() => buildUdpProbe({ family: 4, sizeBytes: 51, sourcePort: 1, destinationPort: 2, seq: 1, key }), { instanceOf: RangeError });
  t.throws(() => buildUdpProbe({ family: 4, sizeBytes: 65_536, sourcePort: 1, destinationPort: 2, seq: 1, key }), { instanceOf: RangeError });
  t.throws(() => keyFromHex('abc'), { instanceOf: TypeError });
});

test('echo request checksum equals raw-socket createChecksum and verifies', (t) => {
  for (const sizeBytes of [28, 29, 100, 1501, 9000]) {
    const m = buildEchoRequest({ family: 4, sizeBytes, id: 0x1234, seq: 0x10005, probeSeq: 0x10005 });
    t.is(m.length, sizeBytes - 20);
    t.is(m.readUInt16BE(6), 5, 'echo seq is the low 16 bits');
    t.is(internetChecksum(m), 0, 'a correct checksum sums to zero');
    const zeroed = Buffer.from(m);
    zeroed.writeUInt16BE(0, 2);
    t.is(internetChecksum(zeroed), raw.createChecksum(zeroed));
  }
  const v6 = buildEchoRequest({ family: 6, sizeBytes: 1280, id: 1, seq: 2, probeSeq: 2 });
  t.is(v6[0], 128);
  t.is(v6.readUInt16BE(2), 0, 'the kernel fills the ICMPv6 checksum');
});

test('ack round trip; anything else is not an ack or a probe', (t) => {
  const key = keyFromHex(KEY_HEX);
  const ack = buildAck({ seq: 42, receivedBytes: 9000, key });
  t.is(ack.length, ACK_BYTES);
  t.deepEqual(parseAck(ack), { seq: 42, receivedBytes: 9000, key });
  t.is(parseAck(ack.subarray(0, 27)), null);
  t.is(parseAck(Buffer.concat([ack, Buffer.alloc(1)])), null);
  t.is(parseAck(Buffer.from('PPRB' + 'x'.repeat(24))), null);
  t.is(parseProbePayload(Buffer.from('PPRB1234')), null, 'too short for a key');
  t.is(parseProbePayload(Buffer.alloc(64)), null);
});

test('raw-socket strerror text maps to errno names in one place', (t) => {
  t.is(rawErrorCode(new Error('Message too long')), 'EMSGSIZE');
  t.is(rawErrorCode(new Error('No buffer space available')), 'ENOBUFS');
  t.is(rawErrorCode(new Error('No such device')), 'ENODEV');
  t.is(rawErrorCode(new Error('something else')), null);
  t.is(rawErrorCode(42), null);
});

test('a router\'s time-exceeded quotes our TTL-limited trace probe, v4 and v6; the v6 quote carries the flow label we set', (t) => {
  const v4 = parseIcmpV4(fixture('ipv4-time-exceeded-udp'));
  t.deepEqual(v4, { kind: 'time-exceeded', quoted: {
    sizeBytes: 52, protocol: 17, destination: '198.18.2.2', sourcePort: 41736, destinationPort: 43947, udpLengthBytes: 32,
    probeSeq: 1, probeKeyHex: '7f6bcaa0c87d4abdaeefc306072e00c3',
  } });
  const v6 = parseIcmpV6(fixture('ipv6-time-exceeded-udp'));
  if (v6?.kind !== 'time-exceeded') return t.fail(JSON.stringify(v6));
  t.is(v6.quoted.flowLabel, 461584);
  const owner6: QuoteOwner = { mode: 'peer', family: 6, destination: '2001:2:0:2::2', sourcePort: 54412, destinationPort: 51999, keyHex: '75876bfb782e644c44773323eae6e910', flowLabel: 461584 };
  t.deepEqual(quotedProbeOf(v6.quoted, owner6), { sizeBytes: 72, probeSeq: 1, echoSeq: null });
  t.is(quotedProbeOf(v6.quoted, { ...owner6, flowLabel: 461585 }), null, 'another flow\'s label is not ours');
});

test('an IPv6 probe built whole carries our flow label and hop limit, and its UDP checksum verifies', (t) => {
  const key = keyFromHex(KEY_HEX);
  const b = buildIpv6UdpProbe({ sizeBytes: 1280, source: '2001:2:0:1::1', destination: '2001:2:0:2::2', flowLabel: 0xabcde, hopLimit: 3, sourcePort: 40001, destinationPort: 40000, seq: 9, key });
  t.is(b.length, 1280);
  t.is(b.readUInt32BE(0), (6 << 28 | 0xabcde) >>> 0, 'version 6, traffic class 0, our label');
  t.is(b.readUInt16BE(4), 1240, 'payload length');
  t.is(b[6], 17);
  t.is(b[7], 3);
  t.deepEqual(b.subarray(8, 24), ipv6Bytes('2001:2:0:1::1'));
  const pseudo = Buffer.concat([b.subarray(8, 40), Buffer.from([0, 0, 0x04, 0xd8, 0, 0, 0, 17])]);
  t.is(internetChecksum(Buffer.concat([pseudo, b.subarray(40)])), 0, 'the receiver\'s checksum over pseudo-header and datagram is 0');
  t.deepEqual(parseProbePayload(b.subarray(48)), { seq: 9, key });
});

test('IPv6 text forms become their 16 bytes; anything else throws', (t) => {
  t.is(ipv6Bytes('2001:2::1').toString('hex'), '20010002000000000000000000000001');
  t.is(ipv6Bytes('::').toString('hex'), '0'.repeat(32));
  t.is(ipv6Bytes('2001:2:0:B:0::2').toString('hex'), '20010002000000000000000000000002'.replace(/^(.{12})0000/, '$1000b'));
  t.throws(() => ipv6Bytes('198.18.0.1'), { instanceOf: TypeError });
});
