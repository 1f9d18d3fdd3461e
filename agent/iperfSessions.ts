import { randomUUID } from 'node:crypto';
import { CONTRACT_VERSION } from '../proto/contractVersion.js';
import { PathprobeError } from '../proto/errorCodes.js';
import type { StartIperfServersRequest, StartIperfServersResponse, StopIperfServersResponse } from '../proto/throughput.js';
import { requireIperf } from './iperf/iperfVersion.js';
import { startIperfServers } from './iperf/iperfServers.js';
import type { ThroughputSlot } from './throughputSlot.js';

interface Session {
  stop(): Promise<{ killed: number }>;
  release(): void;
  timer: NodeJS.Timeout;
}

/**
 * iperf3 servers started for one throughput cell. They hold the agent's throughput slot until the
 * controller stops them or their lifetime ends, whichever comes first, so a vanished controller
 * never leaves the agent busy for good.
 */
export class IperfSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #slot: ThroughputSlot;

  constructor(slot: ThroughputSlot) {
    this.#slot = slot;
  }

  async start(request: StartIperfServersRequest): Promise<StartIperfServersResponse> {
    const version = await requireIperf();
    const release = this.#slot.acquire(`${request.count} iperf3 server(s) on ${request.bindAddress}`);
    try {
      const servers = await startIperfServers({ bindAddress: request.bindAddress, count: request.count, maxLifetimeMs: request.maxLifetimeMs });
      const sessionId = randomUUID();
      const timer = setTimeout(() => void this.stop(sessionId).catch(() => {}), request.maxLifetimeMs);
      timer.unref();
      this.#sessions.set(sessionId, { stop: servers.stop, release, timer });
      // A one-shot server exits after its test: free the slot then, even if the controller that
      // asked for it died and never says stop.
      void servers.allExited.then(() => (this.#sessions.has(sessionId) ? this.stop(sessionId) : undefined)).catch(() => {});
      return { v: CONTRACT_VERSION, sessionId, ports: servers.ports, iperfVersion: version };
    } catch (error) {
      release();
      if (error instanceof PathprobeError) throw error;
      throw new PathprobeError('ERR_PROBE_FAILED', `cannot start iperf3 servers: ${(error as Error).message}`, { cause: error });
    }
  }

  async stop(sessionId: string): Promise<StopIperfServersResponse> {
    const session = this.#sessions.get(sessionId);
    if (!session) throw new PathprobeError('ERR_NOT_FOUND', `no iperf3 server session ${sessionId}`);
    this.#sessions.delete(sessionId);
    clearTimeout(session.timer);
    try {
      const { killed } = await session.stop();
      return { v: CONTRACT_VERSION, sessionId, killed };
    } finally {
      session.release();
    }
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#sessions.keys()].map((id) => this.stop(id)));
  }
}
