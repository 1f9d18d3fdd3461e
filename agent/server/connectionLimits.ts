import type { Server } from 'node:net';
import type { Socket } from 'node:net';

/**
 * What one agent grants its HTTP(S) clients, so that a slow or abusive client (idle connections,
 * headers sent a byte at a time, huge headers) cannot starve the controller.
 */
export interface ConnectionLimits {
  /**
   * A request's headers must be complete this long after its first byte (or after the connection
   * opened, for its first request). Node 20 checks it only on requests in progress: an idle
   * keep-alive connection between requests is governed by keepAliveTimeoutMs alone, so a short
   * value sheds slowloris without closing the controller's pooled connections.
   */
  headersTimeoutMs: number;
  /**
   * How often Node looks for requests past headersTimeoutMs or requestTimeoutMs. Node's default
   * (30 s) would let a slowloris connection live up to 40 s instead of 10 s.
   */
  connectionsCheckingIntervalMs: number;
  /** Until a request's body is in; a sweep's answer may take far longer, which this does not bound. */
  requestTimeoutMs: number;
  /** Idle keep-alive: longer than the controller's own 10 s, so the controller is the one to close. */
  keepAliveTimeoutMs: number;
  /** A TLS handshake not done by then is dropped: the same slowloris, one layer down. */
  tlsHandshakeTimeoutMs: number;
  /** Header bytes of one request; more gets 431. */
  maxHeaderBytes: number;
  /**
   * Open connections from one peer address; the next is destroyed at once. A controller keeps at
   * most one connection per request in flight to an agent: pmtuParallel (≤ 64) pairs with up to two
   * requests each to one agent.
   */
  maxConnectionsPerPeer: number;
  /** Open connections in all: a few controllers at their per-peer limit, plus scrapers. */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  connectionsCheckingIntervalMs: 1_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  tlsHandshakeTimeoutMs: 10_000,
  // Node 20's default too, stated so that --max-http-header-size cannot raise it.
  maxHeaderBytes: 16 * 1024,
  maxConnectionsPerPeer: 128,
  maxConnections: 512,
};

/**
 * Destroys a connection the moment it would be one too many from its peer address. Logs once
 * per episode (until that peer has no connection left), so a flood cannot flood the log too.
 */
export function limitConnectionsPerPeer(server: Server, maxPerPeer: number, log: (line: string) => void): void {
  const openByPeer = new Map<string, number>();
  const refusedPeers = new Set<string>();
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '?';
    const open = openByPeer.get(peer) ?? 0;
    if (open >= maxPerPeer) {
      if (!refusedPeers.has(peer)) {
        refusedPeers.add(peer);
        log(`connections from ${peer} refused: it already holds ${open}, the most one peer may`);
      }
      socket.destroy();
      return;
    }
    openByPeer.set(peer, open + 1);
    socket.once('close', () => {
      const left = (openByPeer.get(peer) ?? 1) - 1;
      if (left > 0) {
        openByPeer.set(peer, left);
      } else {
        openByPeer.delete(peer);
        refusedPeers.delete(peer);
      }
    });
  });
}
