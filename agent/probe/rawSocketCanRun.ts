import raw from 'raw-socket';
import type { CanRun } from '../../proto/agentFacts.js';

/**
 * Path-MTU's can-run: sweeps send DF probes and read ICMP through raw sockets, which need root or
 * CAP_NET_RAW. Asked the way a sweep would ask: open one and close it at once. Either family
 * will do (a host without IPv6 still sweeps over IPv4); the IPv4 refusal is the one reported.
 */
export function rawSocketCanRun(open: (family: 4 | 6) => void = openAndClose): CanRun {
  let refusal: unknown;
  for (const family of [4, 6] as const) {
    try {
      open(family);
      return { ok: true };
    } catch (error) {
      refusal ??= error;
    }
  }
  const said = refusal instanceof Error ? refusal.message : String(refusal);
  return { ok: false, reason: `no raw socket: path-MTU probes need root or CAP_NET_RAW (socket(SOCK_RAW): ${said})` };
}

function openAndClose(family: 4 | 6): void {
  const socket = raw.createSocket({
    addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6,
    protocol: family === 4 ? raw.Protocol.ICMP : raw.Protocol.ICMPv6,
  });
  // Until closed: an 'error' without a listener would throw from the poll callback.
  socket.on('error', () => {});
  socket.close();
}
