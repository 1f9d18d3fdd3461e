import { PathprobeError } from '../proto/errorCodes.js';

/**
 * An agent runs one throughput test at a time, as sender or receiver: two at once would measure
 * each other. A second request is refused with ERR_BUSY, naming what holds the slot.
 */
export class ThroughputSlot {
  #holder: { what: string; sinceMs: number } | null = null;

  /** Takes the slot or throws ERR_BUSY; the returned function gives it back (idempotent). */
  acquire(what: string): () => void {
    if (this.#holder) {
      const seconds = ((Date.now() - this.#holder.sinceMs) / 1000).toFixed(1);
      throw new PathprobeError('ERR_BUSY', `busy: this agent is already running a throughput test (${this.#holder.what}, for ${seconds} s)`);
    }
    const holder = { what, sinceMs: Date.now() };
    this.#holder = holder;
    return () => {
      if (this.#holder === holder) this.#holder = null;
    };
  }
}
