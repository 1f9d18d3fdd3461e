/**
 * The receiving end of a peer-mode sweep: a UDP socket that acknowledges each probe carrying this
 * sweep's key with the IP size it received. Anything else gets no answer at all, so an agent can
 * never be used as a reflector, and the ack (28 B) is never larger than a probe (≥ 52 B).
 */
import dgram from 'node:dgram';
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { IP_HEADER_BYTES, UDP_HEADER_BYTES, buildAck, keyFromHex, parseProbePayload } from './probePackets.js';

export interface UdpResponder {
  readonly address: string;
  readonly port: number;
  /** Probes acknowledged so far. */
  readonly probesAnswered: number;
  /** Idempotent. */
  close(): Promise<void>;
}

const RESPONDER_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

export async function openUdpResponder(options: { bindAddress: string; keyHex: string; ttlMs: number }): Promise<UdpResponder> {
  const family = isIP(options.bindAddress);
  if (family === 0) throw new TypeError(`responder bind address is not an IP address: ${options.bindAddress}`);
  const key = keyFromHex(options.keyHex);
  const ipHeaderBytes = IP_HEADER_BYTES[family as 4 | 6];

  const socket = dgram.createSocket(family === 4 ? { type: 'udp4' } : { type: 'udp6', ipv6Only: true });
  let probesAnswered = 0;
  let closing: Promise<void> | null = null;
  let ttlTimer: NodeJS.Timeout | undefined;

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      clearTimeout(ttlTimer);
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // already closed (for example after a bind failure)
      }
    });
    return closing;
  };

  socket.on('message', (msg, rinfo) => {
    const probe = parseProbePayload(msg);
    if (probe === null || !timingSafeEqual(probe.key, key)) return;
    const ack = buildAck({ seq: probe.seq, receivedBytes: msg.length + UDP_HEADER_BYTES + ipHeaderBytes, key });
    // A failed ack is a lost ack: the sender sees silence, which it treats as evidence, not proof.
    socket.send(ack, rinfo.port, rinfo.address, (error) => {
      if (!error) probesAnswered += 1;
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: options.bindAddress, port: 0, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open UDP responder on ${options.bindAddress}: ${reason}`, { cause: error });
  }
  // One responder hears every flow of a sweep at once: 16 flows' first rounds are ~300 probes, up
  // to 9000 B each (some 5 MB of kernel memory). The default 208 KiB buffer drops most of them
  // (RcvbufErrors), which reads as loss or a smaller MTU. The kernel caps this at net.core.rmem_max.
  try {
    socket.setRecvBufferSize(RESPONDER_RECEIVE_BUFFER_BYTES);
  } catch {
    // Keeps the default; the sender's loss handling and re-asks cover what it drops.
  }
  // After bind, errors (for example an ICMP-induced ECONNREFUSED on send) must not crash the agent.
  socket.on('error', () => {});

  ttlTimer = setTimeout(() => void close(), options.ttlMs);
  const { address, port } = socket.address();
  return {
    address,
    port,
    get probesAnswered() {
      return probesAnswered;
    },
    close,
  };
}
