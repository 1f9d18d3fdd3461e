import type { KindEstimate, KindEstimateInput } from '../kinds/testKind.js';
import { formatBytes } from '../render/quantityText.js';

/** Path MTU sweep of one pair, both directions (lab runs take 0.3–1.5 s). */
export const PMTU_MS_PER_PAIR = 1000;
/** 2 directions × at most ~100 probes × at most a 9000-byte packet. */
export const PMTU_BYTES_PER_PAIR = 2 * 100 * 9000;

/** ⌈pairs / pmtuParallel⌉ sweeps of ~1 s one after another, and an upper bound of the probe bytes. Pure. */
export function estimatePmtu(input: KindEstimateInput): KindEstimate {
  const parallel = Math.max(1, Math.floor(input.plan.concurrency.pmtuParallel));
  const bytes = input.pairs.length * PMTU_BYTES_PER_PAIR;
  return {
    durationMs: Math.ceil(input.pairs.length / parallel) * PMTU_MS_PER_PAIR,
    bytes,
    counts: [],
    costs: [`path-MTU probes at most ${formatBytes(bytes)}`],
    details: {},
  };
}
