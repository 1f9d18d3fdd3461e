import type { IcmpHint, ProbeOutcome } from '../../proto/pmtuSweep.js';
import { pmtuSeeds } from './pmtuSeeds.js';

/**
 * Pure path-MTU search engine: decides which DF probe sizes to send each round and what the
 * answer is. No I/O, no timers, no randomness; the driver sends the sizes and reports outcomes.
 * Design facts: docs/pmtud.md. Size = the whole IP packet in bytes.
 *
 * Round 1 sends BASE (3 × baseBytes + 1 × minBytes) together with the seeds (common sizes up to and
 * including maxBytes), so a clean path needs one round. Nothing passing and no PTB in it means the
 * peer or the path is down: 'unreachable', never a small MTU. Later rounds bisect the open bracket
 * (largest passed, smallest failed) with k sizes, and add:
 * - 2 control probes at the largest passed size: silence in a round where nothing passed says nothing
 *   about size (the peer or the path may have died), so it is not counted; N such rounds in a row
 *   end the search as 'path-went-silent';
 * - lowest + 1 and 2 repeats of the smallest failure: if the answer sits at either end of the
 *   bracket, the boundary proof accumulates while bisection is still running, and a lost probe is
 *   exposed before bisection narrows onto it;
 * - the MTU a validated PTB named, and MTU + 1 (the PTB proposes, an ack proves).
 * Once the bracket is closed (X passed, X + 1 failed) each round sends X + 1 twice until X + 1 has
 * failed in N different rounds (a validated PTB naming exactly X counts for its round); a pass there
 * means the earlier failures were loss, and the search moves up. Measured without loss: clean 1
 * round, PTB router 3, cap on a seed 4, any other silent cap ≤ 6 (at most 87 probes).
 *
 * NIC limit: sizes above maxBytes are never sent. When maxBytes passes, the answer is maxBytes and
 * maxBytes + 1 is reported as failing with failEvidence.local = 1 (definitive, like a
 * 'too-big-local' result) without a probe.
 */

export interface Observation {
  sizeBytes: number;
  outcome: ProbeOutcome;
  icmp: IcmpHint | null;
  /**
   * The round the probe was sent in (1-based, as counted by result().rounds). Omit it for probes of
   * the round just sent; set it on late results so the boundary proof credits the right round.
   */
  round?: number;
}

export interface PmtuSearchOptions {
  family: 4 | 6;
  /** The sender's egress NIC MTU: nothing larger can leave. */
  maxBytes: number;
  /** Smallest size worth probing (default 68 for IPv4, 1280 for IPv6). */
  minBytes?: number;
  /** BASE size (default min(1200 for IPv4 / 1280 for IPv6, maxBytes)). */
  baseBytes?: number;
  /** N: failures at the boundary, in different rounds, needed to prove it (default 3). */
  confirmations?: number;
  /** k: bisection sizes in flight per round (default 15). */
  widthPerRound?: number;
  /** Give up with complete = false after this many rounds (default 24). */
  maxRounds?: number;
}

/** Why the search stopped; null while it is still running. */
export type PmtuSearchStop =
  | 'proved' // boundary proof complete
  | 'unreachable' // nothing was ever acknowledged: the peer or the path is down, not a small MTU
  | 'path-went-silent' // acknowledged earlier, then even known-good sizes went unanswered
  | 'max-rounds';

export interface PmtuSearchResult {
  /** False: nothing at base or min size (or any other size) was ever acknowledged. */
  reachable: boolean;
  /** Largest size with a 'passed' observation. */
  largestOkBytes: number | null;
  /** Smallest size above largestOkBytes that failed; = largestOkBytes + 1 when complete. */
  smallestFailBytes: number | null;
  /** Boundary proved. */
  complete: boolean;
  /**
   * How smallestFailBytes failed. icmp also counts validated PTBs for larger probes that named
   * exactly largestOkBytes (they say largestOkBytes + 1 does not fit). local = 1 without a probe
   * when smallestFailBytes = maxBytes + 1.
   */
  failEvidence: { silent: number; icmp: number; local: number; sendError: number };
  /** Failures at sizes that a pass at the same or a larger size proved deliverable, / probes sent. */
  lossEstimate: number;
  rounds: number;
  probesSent: number;
  stopReason: PmtuSearchStop | null;
}

interface LoggedProbe {
  sizeBytes: number;
  outcome: ProbeOutcome;
  round: number;
  /** MTU named by a PTB that passed validation, else null. */
  hintMtuBytes: number | null;
}

interface RoundPlan {
  sizesBytes: number[];
  /** The round carried control probes at an already-passed size. */
  hasControl: boolean;
}

interface Analysis {
  largestOkBytes: number | null;
  /** Smallest failing size above the bracket floor, or maxBytes + 1. */
  smallestFailBytes: number;
  /** smallestFailBytes cannot pass: the NIC refused it or it is above maxBytes. */
  failDefinitive: boolean;
  /** Distinct rounds with failure evidence at smallestFailBytes. */
  proofRounds: number;
  stop: PmtuSearchStop | null;
}

// With minBytes, 4 small probes: all lost at 4 % round-trip loss (a false 'unreachable') is 2.6e-6.
const BASE_REPEATS = 3;
const CONTROL_REPEATS = 2;
// Two probes at the boundary per round: after one unlucky loss, a false boundary then needs 2 more
// losses in each later round instead of 1 (at 4 % round-trip loss, 2.6e-6 instead of 1.6e-3).
const CONFIRM_REPEATS = 2;

export class PmtuSearch {
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly baseBytes: number;
  private readonly confirmations: number;
  private readonly widthPerRound: number;
  private readonly maxRounds: number;
  private readonly probes: LoggedProbe[] = [];
  private readonly plans: RoundPlan[] = [];
  /** Hints seen since the last nextRound(): their MTU and MTU + 1 go into the next round. */
  private freshHintsMtuBytes = new Set<number>();
  private awaitingResults = false;
  private probesSent = 0;

  constructor(options: PmtuSearchOptions) {
    const floorBytes = options.family === 6 ? 1280 : 68;
    this.maxBytes = requireInt('maxBytes', options.maxBytes, 1);
    this.minBytes = requireInt('minBytes', options.minBytes ?? floorBytes, 1);
    if (this.minBytes > this.maxBytes) {
      throw new RangeError(`minBytes ${this.minBytes} exceeds maxBytes ${this.maxBytes}`);
    }
    const defaultBaseBytes = options.family === 6 ? 1280 : 1200;
    const baseBytes = requireInt('baseBytes', options.baseBytes ?? defaultBaseBytes, 1);
    this.baseBytes = Math.min(Math.max(baseBytes, this.minBytes), this.maxBytes);
    this.confirmations = requireInt('confirmations', options.confirmations ?? 3, 1);
    this.widthPerRound = requireInt('widthPerRound', options.widthPerRound ?? 15, 1);
    this.maxRounds = requireInt('maxRounds', options.maxRounds ?? 24, 1);
  }

  /** Sizes for the next round, largest first (a size may repeat). [] when the search is over. */
  nextRound(): number[] {
    if (this.done || this.plans.length >= this.maxRounds) return [];
    const sizesBytes = this.plans.length === 0 ? this.firstRound() : this.laterRound(this.analyse());
    // Largest first: a burst that overflows a queue then loses the small tail probes, which
    // monotonicity exposes as loss, instead of the big ones near the boundary.
    sizesBytes.sort((a, b) => b - a);
    const hasControl = this.plans.length > 0 && this.largestPassedBytes() !== null;
    this.plans.push({ sizesBytes, hasControl });
    this.freshHintsMtuBytes = new Set();
    this.awaitingResults = true;
    this.probesSent += sizesBytes.length;
    return [...sizesBytes];
  }

  /** Results of the round just sent (any order; may also include late results of earlier rounds). */
  record(observations: readonly Observation[]): void {
    const currentRound = Math.max(1, this.plans.length);
    for (const observation of observations) {
      const round =
        observation.round !== undefined && Number.isInteger(observation.round) &&
        observation.round >= 1 && observation.round <= currentRound
          ? observation.round
          : currentRound;
      const hintMtuBytes = this.validHintMtuBytes(observation);
      this.probes.push({ sizeBytes: observation.sizeBytes, outcome: observation.outcome, round, hintMtuBytes });
      if (hintMtuBytes !== null) this.freshHintsMtuBytes.add(hintMtuBytes);
    }
    this.awaitingResults = false;
  }

  get done(): boolean {
    if (this.awaitingResults || this.plans.length === 0) return false;
    return this.analyse().stop !== null;
  }

  result(): PmtuSearchResult {
    const analysis = this.analyse();
    const reachable = analysis.largestOkBytes !== null;
    const failBytes = reachable ? analysis.smallestFailBytes : null;
    const failEvidence = { silent: 0, icmp: 0, local: 0, sendError: 0 };
    let lossCount = 0;
    for (const probe of this.probes) {
      const failed = probe.outcome === 'silent' || probe.outcome === 'too-big-icmp';
      if (failed && analysis.largestOkBytes !== null && probe.sizeBytes <= analysis.largestOkBytes) lossCount += 1;
      if (failBytes === null) continue;
      if (probe.sizeBytes === failBytes) {
        if (probe.outcome === 'silent') failEvidence.silent += 1;
        else if (probe.outcome === 'too-big-icmp') failEvidence.icmp += 1;
        else if (probe.outcome === 'too-big-local') failEvidence.local += 1;
        else if (probe.outcome === 'send-error') failEvidence.sendError += 1;
      } else if (probe.sizeBytes > failBytes && probe.hintMtuBytes === failBytes - 1) {
        failEvidence.icmp += 1;
      }
    }
    if (failBytes === this.maxBytes + 1) failEvidence.local = Math.max(failEvidence.local, 1);
    return {
      reachable,
      largestOkBytes: analysis.largestOkBytes,
      smallestFailBytes: failBytes,
      complete: analysis.stop === 'proved',
      failEvidence,
      lossEstimate: this.probesSent === 0 ? 0 : lossCount / this.probesSent,
      rounds: this.plans.length,
      probesSent: this.probesSent,
      stopReason: this.awaitingResults ? null : analysis.stop,
    };
  }

  private firstRound(): number[] {
    return [...repeat(this.baseBytes, BASE_REPEATS), this.minBytes, ...pmtuSeeds(this.baseBytes, this.maxBytes)];
  }

  private laterRound(analysis: Analysis): number[] {
    const lo = analysis.largestOkBytes;
    const hi = analysis.smallestFailBytes;
    // Without any pass yet (cap below BASE, signalled by PTB) minBytes is the first size to prove.
    const floorBytes = lo ?? this.minBytes - 1;
    const sizesBytes: number[] = [];
    const closed = hi === floorBytes + 1;
    // Two controls: when the answer is lo, nothing else in the round can pass, and one lost control
    // would void the round's silences (three such rounds in a row read as a dead path).
    if (lo !== null) sizesBytes.push(...repeat(lo, CONTROL_REPEATS));
    if (closed) {
      sizesBytes.push(...repeat(hi, CONFIRM_REPEATS));
      return sizesBytes;
    }
    const inBracket = new Set<number>(bisectionPoints(floorBytes, hi, this.widthPerRound));
    inBracket.add(floorBytes + 1);
    for (const mtuBytes of this.freshHintsMtuBytes) {
      for (const sizeBytes of [mtuBytes, mtuBytes + 1]) {
        if (sizeBytes > floorBytes && sizeBytes < hi) inBracket.add(sizeBytes);
      }
    }
    sizesBytes.push(...inBracket);
    // Re-probing the smallest failure builds its proof early if the answer is hi - 1, and exposes
    // a lost probe before bisection narrows onto it.
    if (!analysis.failDefinitive) sizesBytes.push(...repeat(hi, CONFIRM_REPEATS));
    return sizesBytes;
  }

  private validHintMtuBytes(observation: Observation): number | null {
    const icmp = observation.icmp;
    if (observation.outcome !== 'too-big-icmp' || icmp === null) return null;
    const mtuBytes = icmp.mtuBytes;
    // 0: pre-RFC 1191 router, no value. ≥ the quoted probe: inconsistent (RFC 8899). Below
    // minBytes: no usable path is that small, so it is a forgery or a broken router.
    if (!Number.isInteger(mtuBytes) || mtuBytes <= 0) return null;
    if (mtuBytes >= icmp.probeBytes || mtuBytes >= observation.sizeBytes) return null;
    if (mtuBytes < this.minBytes) return null;
    return mtuBytes;
  }

  private largestPassedBytes(): number | null {
    let largest: number | null = null;
    for (const probe of this.probes) {
      if (probe.outcome === 'passed' && (largest === null || probe.sizeBytes > largest)) largest = probe.sizeBytes;
    }
    return largest;
  }

  private analyse(): Analysis {
    const roundCount = this.plans.length;
    const passesPerRound = new Array<number>(roundCount + 1).fill(0);
    const icmpPerRound = new Array<number>(roundCount + 1).fill(0);
    for (const probe of this.probes) {
      if (probe.outcome === 'passed') passesPerRound[probe.round] = (passesPerRound[probe.round] ?? 0) + 1;
      if (probe.outcome === 'too-big-icmp') icmpPerRound[probe.round] = (icmpPerRound[probe.round] ?? 0) + 1;
    }
    // Silence in a round whose known-good control probes also went unanswered says nothing about
    // size: the peer or the path may be down (black hole ≠ small MTU).
    const silenceCounts = (round: number): boolean =>
      !(this.plans[round - 1]?.hasControl ?? false) || (passesPerRound[round] ?? 0) > 0;
    const isFailure = (probe: LoggedProbe): boolean =>
      probe.outcome === 'too-big-local' || probe.outcome === 'too-big-icmp' ||
      (probe.outcome === 'silent' && silenceCounts(probe.round));

    const largestOkBytes = this.largestPassedBytes();
    const floorBytes = largestOkBytes ?? this.minBytes - 1;
    // A failure at or below a passing size is loss and never lowers the upper bound.
    let hi = this.maxBytes + 1;
    for (const probe of this.probes) {
      if (probe.sizeBytes > floorBytes && probe.sizeBytes < hi && isFailure(probe)) hi = probe.sizeBytes;
    }
    const failDefinitive = hi === this.maxBytes + 1 ||
      this.probes.some((p) => p.sizeBytes === hi && p.outcome === 'too-big-local');

    const proofRoundSet = new Set<number>();
    for (const probe of this.probes) {
      if (probe.sizeBytes === hi && isFailure(probe)) proofRoundSet.add(probe.round);
      // A validated PTB naming exactly hi - 1 says hi does not fit, whatever size it quoted.
      if (probe.sizeBytes > hi && probe.hintMtuBytes === hi - 1) proofRoundSet.add(probe.round);
    }
    const proofRounds = proofRoundSet.size;

    const analysis: Analysis = { largestOkBytes, smallestFailBytes: hi, failDefinitive, proofRounds, stop: null };
    if (roundCount === 0 || this.awaitingResults) return analysis;

    if (largestOkBytes === null) {
      // Never acknowledged. Only a PTB (cap below BASE, the router answers) justifies going on.
      const anyIcmp = this.probes.some((p) => p.outcome === 'too-big-icmp');
      const minFailRoundSet = new Set<number>();
      for (const probe of this.probes) {
        if (probe.sizeBytes === this.minBytes && isFailure(probe)) minFailRoundSet.add(probe.round);
      }
      const minFailRounds = minFailRoundSet.size;
      if (!anyIcmp || minFailRounds >= this.confirmations || (hi <= this.minBytes && failDefinitive)) {
        analysis.stop = 'unreachable';
        return analysis;
      }
    } else if (hi === largestOkBytes + 1 && (failDefinitive || proofRounds >= this.confirmations)) {
      analysis.stop = 'proved';
      return analysis;
    }

    if (largestOkBytes !== null && roundCount >= this.confirmations) {
      const lastRounds = this.plans.slice(-this.confirmations);
      const firstOfThem = roundCount - this.confirmations + 1;
      const allDark = lastRounds.every((plan, i) =>
        plan.hasControl && (passesPerRound[firstOfThem + i] ?? 0) === 0 && (icmpPerRound[firstOfThem + i] ?? 0) === 0);
      if (allDark) {
        analysis.stop = 'path-went-silent';
        return analysis;
      }
    }
    if (roundCount >= this.maxRounds) analysis.stop = 'max-rounds';
    return analysis;
  }
}

/** k sizes splitting the open interval (loBytes, hiBytes) into k + 1 near-equal parts; all of it if it is narrower. */
function bisectionPoints(loBytes: number, hiBytes: number, k: number): number[] {
  const unknown = hiBytes - loBytes - 1;
  if (unknown <= 0) return [];
  if (unknown <= k) return Array.from({ length: unknown }, (_, i) => loBytes + 1 + i);
  const points = new Set<number>();
  for (let i = 1; i <= k; i += 1) {
    const point = loBytes + Math.round((i * (hiBytes - loBytes)) / (k + 1));
    if (point > loBytes && point < hiBytes) points.add(point);
  }
  return [...points];
}

function repeat(sizeBytes: number, times: number): number[] {
  return new Array<number>(times).fill(sizeBytes);
}

function requireInt(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer ≥ ${minimum}, got ${value}`);
  }
  return value;
}
