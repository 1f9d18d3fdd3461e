/*
 * How many flows a direction is probed over, by a stated rule in the spirit of Paris traceroute's
 * Multipath Detection Algorithm: enough flows that a path carrying a given share of them is missed
 * (no flow hashed onto it) with at most a given probability. With uniform hashing each flow lands
 * on that path with probability `share`, so n flows all miss it with probability (1 − share)^n.
 */

/** The smallest n with (1 − share)^n ≤ missProbability. */
export function flowsFor(share: number, missProbability: number): number {
  return Math.ceil(Math.log(missProbability) / Math.log(1 - share));
}

const SHARE = 1 / 8;
const MISS_PROBABILITY = 0.05;

/** 23: a path carrying 1/8 of the flows is missed with probability (7/8)^23 ≈ 4.6 %. */
export const PMTU_FLOWS = flowsFor(SHARE, MISS_PROBABILITY);

/** The rule in words, printed with every multi-flow result. */
export function flowRuleText(flows: number): string {
  const missed = Math.pow(1 - SHARE, flows);
  return `${flows} flows: a path carrying 1/8 of them is missed with probability (7/8)^${flows} = ${(missed * 100).toFixed(1)} %`;
}
