import type { Observation } from '../../agent/probe/pmtuSearch.js';

/**
 * Deterministic model of one direction of a path, as seen by a DF prober with a peer that acks.
 * Order along the path: the sender's NIC, then the router (if any), then a silent L2 cap (if any).
 * - above deviceMtuBytes: refused locally (EMSGSIZE), never on the wire, never lost;
 * - above router.mtuBytes: dropped; a PTB comes back when router.icmp, else silence;
 * - above silentCapBytes: dropped without a word (switch port, receiver NIC);
 * - otherwise delivered and acknowledged.
 * Loss hits each direction independently: the probe on the way out, and the ack or PTB on the way
 * back, so lossEachWay = 0.02 gives ≈ 4 % per round trip. A path can also die after a number of
 * probes (peer crashed, link cut): from then on everything is silent.
 */
export interface SimulatedPathSpec {
  deviceMtuBytes: number;
  silentCapBytes?: number;
  router?: {
    mtuBytes: number;
    icmp: boolean;
    from: string;
    /** What the PTB claims, when the router lies or is broken (default: mtuBytes). */
    reportedMtuBytes?: number;
  };
  /** Probability that one direction drops a packet. */
  lossEachWay?: number;
  /** Everything is silent after this many probes have been sent. */
  diesAfterProbes?: number;
  /** Seeded PRNG returning [0, 1); see mulberry32. */
  rng: () => number;
}

export class SimulatedPath {
  private probesSent = 0;

  constructor(private readonly spec: SimulatedPathSpec) {}

  /** The largest size that really gets through: what a correct search must report. */
  get trueMtuBytes(): number {
    return Math.min(
      this.spec.deviceMtuBytes,
      this.spec.router?.mtuBytes ?? Infinity,
      this.spec.silentCapBytes ?? Infinity,
    );
  }

  send(sizeBytes: number): Observation {
    this.probesSent += 1;
    const { deviceMtuBytes, silentCapBytes, router, diesAfterProbes } = this.spec;
    if (sizeBytes > deviceMtuBytes) return { sizeBytes, outcome: 'too-big-local', icmp: null };
    const silent: Observation = { sizeBytes, outcome: 'silent', icmp: null };
    if (diesAfterProbes !== undefined && this.probesSent > diesAfterProbes) return silent;
    if (this.lost()) return silent;
    if (router !== undefined && sizeBytes > router.mtuBytes) {
      if (!router.icmp || this.lost()) return silent;
      const mtuBytes = router.reportedMtuBytes ?? router.mtuBytes;
      return { sizeBytes, outcome: 'too-big-icmp', icmp: { from: router.from, mtuBytes, probeBytes: sizeBytes } };
    }
    if (silentCapBytes !== undefined && sizeBytes > silentCapBytes) return silent;
    if (this.lost()) return silent;
    return { sizeBytes, outcome: 'passed', icmp: null };
  }

  sendAll(sizesBytes: readonly number[]): Observation[] {
    return sizesBytes.map((sizeBytes) => this.send(sizeBytes));
  }

  private lost(): boolean {
    const loss = this.spec.lossEachWay ?? 0;
    return loss > 0 && this.spec.rng() < loss;
  }
}

/** mulberry32: a tiny seeded PRNG, good enough to make loss patterns reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
