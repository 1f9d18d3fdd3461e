import { randomBytes, randomUUID } from 'node:crypto';
import type { OpenResponderResponse, CloseResponderResponse } from '../proto/responder.js';
import { CONTRACT_VERSION } from '../proto/contractVersion.js';
import { PathprobeError } from '../proto/errorCodes.js';
import { openUdpResponder, type UdpResponder } from './probe/udpResponder.js';

/** Open responders by id, each closed by the controller or, failing that, by its own TTL. */
export class ResponderRegistry {
  readonly #open = new Map<string, { responder: UdpResponder; timer: NodeJS.Timeout }>();
  readonly #maxOpen: number;

  constructor(maxOpen = 64) {
    this.#maxOpen = maxOpen;
  }

  async open(bindAddress: string, ttlMs: number): Promise<OpenResponderResponse> {
    if (this.#open.size >= this.#maxOpen) {
      throw new PathprobeError('ERR_BUSY', `this agent already has ${this.#open.size} responders open`);
    }
    const keyHex = randomBytes(16).toString('hex');
    const responder = await openUdpResponder({ bindAddress, keyHex, ttlMs });
    const responderId = randomUUID();
    const timer = setTimeout(() => void this.close(responderId), ttlMs);
    timer.unref();
    this.#open.set(responderId, { responder, timer });
    return { v: CONTRACT_VERSION, responderId, address: bindAddress, port: responder.port, keyHex, expiresAtMs: Date.now() + ttlMs };
  }

  async close(responderId: string): Promise<CloseResponderResponse> {
    const entry = this.#open.get(responderId);
    if (!entry) throw new PathprobeError('ERR_NOT_FOUND', `no open responder ${responderId}`);
    this.#open.delete(responderId);
    clearTimeout(entry.timer);
    await entry.responder.close();
    return { v: CONTRACT_VERSION, responderId, probesAnswered: entry.responder.probesAnswered };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.close(id)));
  }
}
