import { testKindsOf } from '../kinds/testKinds.js';
import type { KindEstimate, KindEstimateInput } from '../kinds/testKind.js';
import type { TestKindName } from '../model/plan.js';
import { formatDuration } from '../render/quantityText.js';

export interface RunEstimateInput extends KindEstimateInput {
  tests: readonly TestKindName[];
}

export interface RunEstimate {
  /** Wall time: the kinds' parts one after another. */
  durationMs: number;
  /** Upper bound of the bytes every kind puts on the wire (over the pairs whose link speed is known). */
  bytes: number;
  pairs: number;
  /** Each kind's own estimate. */
  kinds: Partial<Record<TestKindName, KindEstimate>>;
  /** One line for the user: "15 pairs, 5 throughput rounds, about 12 min, at most 540 GB". */
  text: string;
}

/** How long a run will take and how much it will send, before it starts: the sum of its kinds' estimates. Pure. */
export function estimateRun(input: RunEstimateInput): RunEstimate {
  const kinds: RunEstimate['kinds'] = {};
  for (const kind of testKindsOf(input.tests)) kinds[kind.name] = kind.estimate(input);
  const estimates = Object.values(kinds);
  const durationMs = estimates.reduce((sum, e) => sum + e.durationMs, 0);
  const text = [
    `${input.pairs.length} pair${input.pairs.length === 1 ? '' : 's'}`,
    ...estimates.flatMap((e) => e.counts),
    `about ${formatDuration(durationMs)}`,
    ...estimates.flatMap((e) => e.costs),
  ].join(', ');
  return { durationMs, bytes: estimates.reduce((sum, e) => sum + e.bytes, 0), pairs: input.pairs.length, kinds, text };
}
