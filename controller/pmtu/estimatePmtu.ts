import type { KindEstimate, KindEstimateInput } from '../kinds/testKind.js';
import { formatBytes } from '../render/quantityText.js';

/** Path MTU sweep of one pair, both directions, over one flow (lab runs take 0.3–1.5 s). */
export const PMTU_MS_PER_PAIR = 1000;
/**
 * The same over many flows: 0.35–0.65 s on a quiet leaf-spine lab, and 1.8 s per batch of 8 pairs
 * at 32 hosts × 23 flows on 2 cores (load 6), where every flow passed in its first round.
 */
export const PMTU_MULTI_FLOW_MS_PER_PAIR = 2000;
/** 2 directions × at most ~100 probes per flow × at most a 9000-byte packet. */
export const PMTU_BYTES_PER_FLOW_PAIR = 2 * 100 * 9000;

/** ⌈pairs / pmtuParallel⌉ sweeps one after another, and an upper bound of the probe bytes. Pure. */
export function estimatePmtu(input: KindEstimateInput): KindEstimate {
  const parallel = Math.max(1, Math.floor(input.plan.concurrency.pmtuParallel));
  const flows = input.plan.pmtu?.flows ?? 1;
  const bytes = input.pairs.length * flows * PMTU_BYTES_PER_FLOW_PAIR;
  return {
    durationMs: Math.ceil(input.pairs.length / parallel) * (flows > 1 ? PMTU_MULTI_FLOW_MS_PER_PAIR : PMTU_MS_PER_PAIR),
    bytes,
    counts: [],
    costs: [`path-MTU probes at most ${formatBytes(bytes)}${flows > 1 ? ` (${flows} flows per direction)` : ''}`],
    details: {},
  };
}
