import { AsyncLocalStorage } from 'node:async_hooks';

/*
 * A probe-rate ceiling for everything one request sends (all its flows, confirmations and
 * traces), without threading it through every layer: the request runs inside the limit's async
 * context and the transport takes a slot before each send. Outside a limit, sending is as fast
 * as the transport's own pacing.
 */

interface ProbeRateLimit {
  gapMs: number;
  nextAtMs: number;
}

const limits = new AsyncLocalStorage<ProbeRateLimit>();

export function withProbeRate<T>(probesPerSecond: number | null, run: () => Promise<T>): Promise<T> {
  if (probesPerSecond === null) return run();
  return limits.run({ gapMs: 1000 / probesPerSecond, nextAtMs: 0 }, run);
}

/** Resolves when the current request may send its next probe. */
export async function probeSlot(): Promise<void> {
  const limit = limits.getStore();
  if (limit === undefined) return;
  const now = performance.now();
  const at = Math.max(now, limit.nextAtMs);
  limit.nextAtMs = at + limit.gapMs;
  const waitMs = at - now;
  if (waitMs >= 1) await new Promise<void>((resolve) => setTimeout(resolve, waitMs));
  else if (waitMs > 0) await new Promise<void>((resolve) => setImmediate(resolve));
}
