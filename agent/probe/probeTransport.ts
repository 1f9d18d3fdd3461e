/**
 * Sends rounds of don't-fragment probes and collects what came back, one report per probe.
 *
 * - peer mode: DF UDP datagrams through a raw UDP socket in PROBE mode to a pathprobe responder,
 *   acknowledged on a dgram socket whose port is the probes' source port. Measures one direction.
 * - echo mode: DF ICMP / ICMPv6 echo requests; a matched echo reply passes. Measures a round trip.
 *
 * A separate raw ICMP / ICMPv6 socket, not bound to the device, listens for frag-needed / Packet Too
 * Big (and echo replies); a too-big message counts only when its quote is provably one of our probes.
 * PROBE mode (docs/raw-sockets.md) puts every probe on the wire whatever the kernel PMTU cache says,
 * so a local 'Message too long' means "bigger than my own interface".
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { endianness } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import raw from 'raw-socket';
import type { Socket as RawSocket } from 'raw-socket';
import type { IcmpHint, ProbeOutcome } from '../../proto/pmtuSweep.js';
import {
  IP_HEADER_BYTES,
  MAX_PROBE_BYTES,
  FLOW_LABEL_MASK,
  buildEchoRequest,
  buildIpv6UdpProbe,
  buildUdpProbe,
  keyFromHex,
  minProbeBytes,
  parseAck,
  parseIcmp,
  type IcmpMessage,
  type IpFamily,
  type QuotedPacket,
  type QuoteOwner,
  quotedProbeOf,
} from './probePackets.js';
import { rawErrorCode } from './rawErrorCode.js';
import { canonicalAddress } from '../../proto/ipAddress.js';
import { probeSlot } from './probeRate.js';

export type ProbeTarget =
  | {
    mode: 'peer'; address: string; port: number; keyHex: string;
    /** Reuse a flow's 5-tuple (its trace, its re-sweep): bind the ack socket to this port. Default: any free port. */
    sourcePort?: number;
    /** IPv6: the flow label every probe carries. Default: a random nonzero label. */
    flowLabel?: number;
    /** IPv6: the source address written into the probes' header; required for IPv6 peer mode. */
    sourceAddress?: string;
  }
  | { mode: 'echo'; address: string };

export interface ProbeReport {
  sizeBytes: number;
  seq: number;
  /** Milliseconds since the transport was opened; for a probe never handed to the kernel, when it was attempted. */
  sentAtMs: number;
  outcome: ProbeOutcome;
  rttMs: number | null;
  /** Peer mode: the IP size the responder received. Echo mode: the IP size of the echo reply. */
  receivedBytes: number | null;
  icmp: IcmpHint | null;
  error: string | null;
}

export interface ProbeTransport {
  readonly family: 4 | 6;
  readonly mode: 'peer' | 'echo';
  /** Peer mode: the UDP source port of the probes (the ack socket's port); null in echo mode. */
  readonly sourcePort: number | null;
  /** Echo mode: the ICMP echo identifier of this transport; null in peer mode. */
  readonly echoId: number | null;
  /** IPv6 peer mode: the flow label of every probe; null otherwise (the kernel's automatic label). */
  readonly flowLabel: number | null;
  /**
   * Send these sizes (in the given order, spaced by ~50 µs–0.2 ms so a burst does not overflow
   * queues), then wait until every probe is answered or timeoutMs passes after the last send.
   * Reports come back one per size in input order; unanswered = 'silent'. One round at a time.
   */
  sendRound(sizesBytes: readonly number[], timeoutMs: number): Promise<ProbeReport[]>;
  /**
   * Peer mode: one small probe per hop limit, as traceroute sends them but over this flow's own
   * 5-tuple (and flow label), so that each meets the routers the flow's sweep met. A router's
   * time-exceeded names the hop; the responder's ack means the probe reached the peer.
   */
  sendTtlRound(hopLimits: readonly number[], sizeBytes: number, timeoutMs: number): Promise<TtlReport[]>;
  /** Idempotent; closes every socket. A round in progress rejects. */
  close(): Promise<void>;
}

export interface TtlReport {
  hopLimit: number;
  /** The router whose time-exceeded quoted this probe; null when none did. */
  from: string | null;
  /** The responder acknowledged it: the hop limit reached the peer. */
  reached: boolean;
  rttMs: number | null;
}

/** Longest the kernel may take to accept one probe before it counts as a send-error. */
const SEND_STALL_MS = 1000;
const STALLED_SEND = `not sent within ${SEND_STALL_MS} ms: the socket stayed unwritable`;
/** Smallest gap between two sends: a burst of 9000 B probes must not overrun a NIC or shaper queue. */
const MIN_SEND_GAP_MS = 0.05;
/** The largest ICMP / ICMPv6 message plus its IPv4 header; the default 4096 silently truncates. */
const RECEIVE_BUFFER_BYTES = 65_536 + 60;

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_BINDTODEVICE = 25;
const IPPROTO_IP = 0;
const IP_MTU_DISCOVER = 10;
const IP_PMTUDISC_PROBE = 3;
const IPPROTO_IPV6 = 41;
const IPV6_MTU_DISCOVER = 23;
const IPV6_HDRINCL = 36;
const IP_TTL = 2;
/** The hop limit of a sweep's own IPv6 probes, written into the header this transport builds. */
const DEFAULT_HOP_LIMIT = 64;
const IPV6_PMTUDISC_PROBE = 3;
const IPPROTO_RAW = 255;
const ICMP_FILTER = 1;
const IPPROTO_ICMPV6 = 58;
const ICMP6_FILTER = 1;

interface Probe {
  report: ProbeReport;
  /** performance.now() when handed to the kernel; null until then. */
  sentAtPerf: number | null;
  answered: boolean;
  /** A trace probe's hop limit; null for a sweep probe (the route's default). */
  hopLimit: number | null;
  /** The router whose time-exceeded quoted this trace probe. */
  timeExceededFrom: string | null;
}

interface Round {
  probes: Probe[];
  /** Full seq (peer) or 16-bit echo seq (echo) → probe. Only this round's probes: late answers find nothing. */
  byWireSeq: Map<number, Probe>;
  unanswered: number;
  timer: NodeJS.Timeout | undefined;
  resolve(): void;
  reject(error: Error): void;
}

export async function openProbeTransport(options: { target: ProbeTarget; device?: string }): Promise<ProbeTransport> {
  const { target, device } = options;
  const ipFamily = isIP(target.address);
  if (ipFamily === 0) throw new TypeError(`probe target is not an IP address: ${target.address}`);
  const family = ipFamily as IpFamily;
  let key: Buffer | null = null;
  if (target.mode === 'peer') {
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
      throw new RangeError(`probe target port out of range: ${target.port}`);
    }
    key = keyFromHex(target.keyHex);
  }

  const opened: Array<() => Promise<void>> = [];
  const closeOpened = async (): Promise<void> => {
    // Reverse order, and every closer runs even if one fails: a leaked raw socket keeps the process alive.
    for (const close of opened.splice(0).reverse()) await close().catch(() => {});
  };
  let step = 'start';
  try {
    step = 'open the raw ICMP listener';
    const listener = openRawSocket(family === 4 ? raw.Protocol.ICMP : raw.Protocol.ICMPv6, family, opened);
    step = 'set the ICMP filter';
    setIcmpFilter(listener, family, target.mode === 'echo' ? 'echo' : 'too-big');

    step = 'open the raw probe socket';
    const sender = openRawSocket(
      target.mode === 'peer' ? raw.Protocol.UDP : family === 4 ? raw.Protocol.ICMP : raw.Protocol.ICMPv6,
      family,
      opened,
    );
    // The listener does the receiving; the sender would otherwise queue a copy of every UDP or
    // ICMP packet in the namespace.
    sender.pauseRecv();
    sender.setOption(SOL_SOCKET, SO_RCVBUF, 1);
    if (target.mode === 'echo') setIcmpFilter(sender, family, 'none');
    step = 'set PROBE path-MTU discovery';
    if (family === 4) sender.setOption(IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
    else sender.setOption(IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE);
    if (family === 6 && target.mode === 'peer') {
      step = 'check the IPv6 source address';
      if (target.sourceAddress === undefined || isIP(target.sourceAddress) !== 6) {
        throw new TypeError('an IPv6 peer probe needs its IPv6 source address');
      }
      step = 'set IPV6_HDRINCL';
      // We write the header (and so the flow label and hop limit) and the UDP checksum; the kernel
      // still refuses a probe larger than the device with EMSGSIZE (rawv6_send_hdrinc).
      sender.setOption(IPPROTO_IPV6, IPV6_HDRINCL, 1);
    }
    if (device !== undefined) {
      step = `bind to device "${device}"`;
      // Only the sender: a too-big or reply may come back through another interface.
      sender.setOption(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${device}\0`, 'latin1'), Buffer.byteLength(device, 'latin1') + 1);
    }

    let ackSocket: dgram.Socket | null = null;
    if (target.mode === 'peer') {
      step = 'bind the ack socket';
      ackSocket = await bindAckSocket(family, target.sourcePort ?? 0, opened);
    }
    return createTransport({ target, family, key, listener, sender, ackSocket, closeOpened });
  } catch (error) {
    await closeOpened();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open ${target.mode} probe transport to ${target.address}: ${step}: ${reason}`, { cause: error });
  }
}

/** IP_TTL as a 4-byte int in host order; -1 restores the route's default. */
function ttlOption(hopLimit: number | null): Buffer {
  const b = Buffer.alloc(4);
  if (endianness() === 'LE') b.writeInt32LE(hopLimit ?? -1, 0);
  else b.writeInt32BE(hopLimit ?? -1, 0);
  return b;
}

function openRawSocket(protocol: number, family: IpFamily, opened: Array<() => Promise<void>>): RawSocket {
  const socket = raw.createSocket({
    addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6,
    protocol,
    bufferSize: RECEIVE_BUFFER_BYTES,
  });
  let closed = false;
  opened.push(async () => {
    if (closed) return;
    closed = true;
    socket.close();
  });
  // Until the transport installs its own handler: an 'error' without a listener would throw from the poll callback.
  socket.on('error', () => {});
  return socket;
}

/** Kernel-side filter (a set bit drops that type), so the listener is not woken by unrelated ICMP. */
function setIcmpFilter(socket: RawSocket, family: IpFamily, keep: 'echo' | 'too-big' | 'none'): void {
  const writeWord = (buffer: Buffer, value: number, offset: number): void => {
    if (endianness() === 'LE') buffer.writeUInt32LE(value >>> 0, offset);
    else buffer.writeUInt32BE(value >>> 0, offset);
  };
  if (family === 4) {
    // Destination unreachable (frag-needed), and time exceeded for traces.
    const passed = keep === 'none' ? 0 : keep === 'echo' ? (1 << 0) | (1 << 3) : (1 << 3) | (1 << 11);
    const mask = Buffer.alloc(4);
    writeWord(mask, ~passed, 0);
    socket.setOption(IPPROTO_RAW, ICMP_FILTER, mask, 4);
  } else {
    const words = new Array<number>(8).fill(0xffffffff);
    if (keep === 'echo') words[0] = ~(1 << 2); // Packet Too Big
    if (keep === 'too-big') words[0] = ~((1 << 2) | (1 << 3)); // Packet Too Big, time exceeded (traces)
    if (keep === 'echo') words[4] = ~(1 << (129 - 128)); // echo reply
    const mask = Buffer.alloc(32);
    words.forEach((word, i) => writeWord(mask, word, i * 4));
    socket.setOption(IPPROTO_ICMPV6, ICMP6_FILTER, mask, 32);
  }
}

async function bindAckSocket(family: IpFamily, port: number, opened: Array<() => Promise<void>>): Promise<dgram.Socket> {
  const socket = dgram.createSocket(family === 4 ? { type: 'udp4' } : { type: 'udp6', ipv6Only: true });
  let closed = false;
  opened.push(
    () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    // Wildcard: the ack comes back to whatever source address the kernel picked for the probes.
    socket.bind({ address: family === 4 ? '0.0.0.0' : '::', port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

function createTransport(ctx: {
  target: ProbeTarget;
  family: IpFamily;
  key: Buffer | null;
  listener: RawSocket;
  sender: RawSocket;
  ackSocket: dgram.Socket | null;
  closeOpened(): Promise<void>;
}): ProbeTransport {
  const { target, family, key, listener, sender, ackSocket } = ctx;
  const openedAtPerf = performance.now();
  const targetAddress = canonicalAddress(target.address);
  const targetPort = target.mode === 'peer' ? target.port : null;
  const sourcePort = ackSocket === null ? null : ackSocket.address().port;
  const echoId = target.mode === 'echo' ? randomInt(0, 0x10000) : null;
  const flowLabel = target.mode === 'peer' && family === 6 ? (target.flowLabel ?? randomInt(1, FLOW_LABEL_MASK + 1)) & FLOW_LABEL_MASK : null;
  const ipHeaderBytes = IP_HEADER_BYTES[family];
  const minBytes = minProbeBytes(family, target.mode);
  const maxBytes = MAX_PROBE_BYTES[family];

  let nextSeq = 1;
  let currentTtl: number | null = null;
  let round: Round | null = null;
  let failure: Error | null = null;
  let closing: Promise<void> | null = null;

  const settle = (r: Round): void => {
    if (round !== r) return;
    round = null;
    clearTimeout(r.timer);
    r.resolve();
  };

  const answer = (probe: Probe, nowPerf: number, fill: Partial<ProbeReport>): void => {
    Object.assign(probe.report, fill);
    if (probe.sentAtPerf !== null && fill.outcome !== 'too-big-local' && fill.outcome !== 'send-error') {
      probe.report.rttMs = nowPerf - probe.sentAtPerf;
    }
    if (probe.answered) return;
    probe.answered = true;
    const r = round;
    if (r !== null && --r.unanswered === 0) settle(r);
  };

  const fail = (error: Error): void => {
    failure ??= error;
    const r = round;
    if (r === null) return;
    round = null;
    clearTimeout(r.timer);
    r.reject(error);
  };

  const onIcmp = (message: IcmpMessage, from: string, nowPerf: number): void => {
    const r = round;
    if (r === null || message.kind === 'other') return;
    if (message.kind === 'time-exceeded') {
      const probe = matchQuote(r, message.quoted);
      if (probe === undefined || probe.hopLimit === null || probe.sentAtPerf === null || probe.answered) return;
      probe.timeExceededFrom = canonicalAddress(from);
      answer(probe, nowPerf, {});
      return;
    }
    if (message.kind === 'echo-reply') {
      if (echoId === null || message.id !== echoId || canonicalAddress(from) !== targetAddress) return;
      const probe = r.byWireSeq.get(message.seq);
      if (probe === undefined || probe.sentAtPerf === null || probe.report.outcome === 'passed') return;
      if (message.probeSeq !== undefined && message.probeSeq !== probe.report.seq) return;
      answer(probe, nowPerf, { outcome: 'passed', receivedBytes: message.sizeBytes });
      return;
    }
    const probe = matchQuote(r, message.quoted);
    // An ack or echo reply is proof; a too-big that arrives after it changes nothing.
    if (probe === undefined || probe.sentAtPerf === null || probe.answered) return;
    answer(probe, nowPerf, {
      outcome: 'too-big-icmp',
      icmp: { from: canonicalAddress(from), mtuBytes: message.mtuBytes, probeBytes: message.quoted.sizeBytes },
    });
  };

  const owner: QuoteOwner =
    target.mode === 'peer'
      ? {
        mode: 'peer', family, destination: target.address, sourcePort: sourcePort ?? 0, destinationPort: target.port, keyHex: target.keyHex,
        ...(flowLabel === null ? {} : { flowLabel }),
      }
      : { mode: 'echo', family, destination: target.address, echoId: echoId ?? 0 };

  /** The probe of this round a too-big or time-exceeded quote names, or undefined. */
  const matchQuote = (r: Round, q: QuotedPacket): Probe | undefined => {
    const named = quotedProbeOf(q, owner);
    if (named === null) return undefined;
    let probe: Probe | undefined;
    if (named.echoSeq !== null) {
      probe = r.byWireSeq.get(named.echoSeq);
      if (probe !== undefined && named.probeSeq !== null && named.probeSeq !== probe.report.seq) return undefined;
    } else if (named.probeSeq !== null) {
      probe = r.byWireSeq.get(named.probeSeq);
    } else {
      // RFC 792 minimum quote (IP header + 8): only the size tells probes apart. If a size repeats
      // within the round, credit the earliest unanswered one.
      probe = r.probes.find((p) => !p.answered && p.sentAtPerf !== null && p.report.sizeBytes === named.sizeBytes);
    }
    if (probe === undefined || probe.report.sizeBytes !== named.sizeBytes) return undefined;
    return probe;
  };

  listener.on('message', (buffer, source) => {
    const nowPerf = performance.now();
    // raw-socket hands out a view of one reusable buffer: parse it before returning.
    const message = parseIcmp(family, buffer);
    if (message !== null) onIcmp(message, source, nowPerf);
  });

  ackSocket?.on('message', (msg, rinfo) => {
    const nowPerf = performance.now();
    const r = round;
    if (r === null || key === null) return;
    const ack = parseAck(msg);
    if (ack === null || !ack.key.equals(key)) return;
    if (rinfo.port !== targetPort || canonicalAddress(rinfo.address) !== targetAddress) return;
    const probe = r.byWireSeq.get(ack.seq);
    if (probe === undefined || probe.sentAtPerf === null || probe.report.outcome === 'passed') return;
    // The ack is proof even after a too-big for the same probe; keep the ICMP hint as evidence.
    answer(probe, nowPerf, { outcome: 'passed', receivedBytes: ack.receivedBytes });
  });

  const onSocketError = (which: string) => (error: Error) => {
    fail(new Error(`${which} socket failed: ${error.message}`, { cause: error }));
  };
  listener.removeAllListeners('error');
  sender.removeAllListeners('error');
  listener.on('error', onSocketError('raw ICMP listener'));
  sender.on('error', onSocketError('raw probe'));
  // The ack socket only receives; an error there (e.g. ECONNREFUSED surfacing) must not crash the agent.
  ackSocket?.on('error', () => {});

  const buildProbe = (sizeBytes: number, seq: number, hopLimit: number | null): Buffer => {
    if (target.mode === 'peer' && flowLabel !== null) {
      return buildIpv6UdpProbe({
        sizeBytes, source: target.sourceAddress as string, destination: target.address, flowLabel, hopLimit: hopLimit ?? DEFAULT_HOP_LIMIT,
        sourcePort: sourcePort ?? 0, destinationPort: target.port, seq, key: key as Buffer,
      });
    }
    if (target.mode === 'peer') {
      return buildUdpProbe({ family, sizeBytes, sourcePort: sourcePort ?? 0, destinationPort: target.port, seq, key: key as Buffer });
    }
    return buildEchoRequest({ family, sizeBytes, id: echoId ?? 0, seq: seq & 0xffff, probeSeq: seq });
  };

  /**
   * Hands one probe to the kernel; resolves once sendto returned (raw-socket queues until
   * writable), or after SEND_STALL_MS: toward an address whose neighbour never resolves the socket
   * can stay unwritable, and a round must end anyway. Such a probe is a send-error.
   */
  const sendOne = (probe: Probe, r: Round): Promise<boolean> =>
    new Promise<boolean>((resolveSent) => {
      const stall = setTimeout(() => {
        if (round === r && !probe.answered) answer(probe, performance.now(), { outcome: 'send-error', error: STALLED_SEND });
        resolveSent(false);
      }, SEND_STALL_MS);
      const resolve = () => { clearTimeout(stall); resolveSent(true); };
      const packet = buildProbe(probe.report.sizeBytes, probe.report.seq, probe.hopLimit);
      sender.send(
        packet,
        0,
        packet.length,
        target.address,
        () => {
          // IPv4 has no header of ours to carry the TTL: set it on the socket just before this sendto.
          if (family === 4 && probe.hopLimit !== currentTtl) {
            sender.setOption(IPPROTO_IP, IP_TTL, ttlOption(probe.hopLimit), 4);
            currentTtl = probe.hopLimit;
          }
          probe.sentAtPerf = performance.now();
          probe.report.sentAtMs = probe.sentAtPerf - openedAtPerf;
        },
        (error) => {
          if (error !== null && round === r) {
            const local = rawErrorCode(error) === 'EMSGSIZE';
            answer(probe, performance.now(), { outcome: local ? 'too-big-local' : 'send-error', error: error.message });
          }
          resolve();
        },
      );
    });

  const pause = async (sinceMs: number): Promise<void> => {
    // setImmediate, not setTimeout (≥ 1 ms): acks keep being received while we wait.
    while (performance.now() - sinceMs < MIN_SEND_GAP_MS) await new Promise<void>((resolve) => setImmediate(resolve));
  };

  const sendAll = async (r: Round, timeoutMs: number): Promise<void> => {
    let lastSendPerf = -Infinity;
    for (const probe of r.probes) {
      if (round !== r) return;
      await pause(lastSendPerf);
      await probeSlot();
      if (round !== r) return;
      probe.report.sentAtMs = performance.now() - openedAtPerf;
      if (!(await sendOne(probe, r))) {
        // The socket is stuck: the rest of the round would stall the same way.
        for (const rest of r.probes) if (round === r && !rest.answered) answer(rest, performance.now(), { outcome: 'send-error', error: STALLED_SEND });
        return;
      }
      lastSendPerf = performance.now();
    }
    if (round === r) r.timer = setTimeout(() => settle(r), timeoutMs);
  };

  const startRound = (sends: ReadonlyArray<{ sizeBytes: number; hopLimit: number | null }>, timeoutMs: number): Promise<Probe[]> => {
    if (closing !== null) return Promise.reject(new Error('probe transport is closed'));
    if (failure !== null) return Promise.reject(new Error(`probe transport failed earlier: ${failure.message}`, { cause: failure }));
    if (round !== null) return Promise.reject(new Error('a probe round is already in progress on this transport'));
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) return Promise.reject(new RangeError(`timeoutMs must be ≥ 0, got ${timeoutMs}`));
    const bad = sends.find((s) => !Number.isInteger(s.sizeBytes) || s.sizeBytes < minBytes || s.sizeBytes > maxBytes);
    if (bad !== undefined) {
      return Promise.reject(new RangeError(`probe size ${bad.sizeBytes} B is outside ${minBytes}..${maxBytes} B for IPv${family} ${target.mode} mode`));
    }
    if (sends.length === 0) return Promise.resolve([]);
    return new Promise<Probe[]>((resolve, reject) => {
      const probes = sends.map(({ sizeBytes, hopLimit }): Probe => ({
        report: { sizeBytes, seq: nextSeq++, sentAtMs: 0, outcome: 'silent', rttMs: null, receivedBytes: null, icmp: null, error: null },
        sentAtPerf: null,
        answered: false,
        hopLimit,
        timeExceededFrom: null,
      }));
      const r: Round = {
        probes,
        byWireSeq: new Map(probes.map((p) => [target.mode === 'peer' ? p.report.seq : p.report.seq & 0xffff, p])),
        unanswered: probes.length,
        timer: undefined,
        resolve: () => resolve(probes),
        reject,
      };
      round = r;
      sendAll(r, timeoutMs).catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
    });
  };

  const sendRound = async (sizesBytes: readonly number[], timeoutMs: number): Promise<ProbeReport[]> => {
    const probes = await startRound(sizesBytes.map((sizeBytes) => ({ sizeBytes, hopLimit: null })), timeoutMs);
    return probes.map((p) => ({ ...p.report }));
  };

  const sendTtlRound = async (hopLimits: readonly number[], sizeBytes: number, timeoutMs: number): Promise<TtlReport[]> => {
    if (target.mode !== 'peer') throw new Error('TTL-limited probes need a peer responder');
    const invalid = hopLimits.find((h) => !Number.isInteger(h) || h < 1 || h > 255);
    if (invalid !== undefined) throw new RangeError(`hop limit ${invalid} is outside 1..255`);
    const probes = await startRound(hopLimits.map((hopLimit) => ({ sizeBytes, hopLimit })), timeoutMs);
    return probes.map((p) => ({
      hopLimit: p.hopLimit as number,
      from: p.timeExceededFrom,
      reached: p.report.outcome === 'passed',
      rttMs: p.report.rttMs,
    }));
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      fail(new Error('probe transport closed during a round'));
      await ctx.closeOpened();
    })();
    return closing;
  };

  return {
    family,
    mode: target.mode,
    sourcePort,
    echoId,
    flowLabel,
    sendRound,
    sendTtlRound,
    close,
  };
}

export type { IcmpHint, ProbeOutcome };
