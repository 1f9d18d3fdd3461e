import type { Topology } from '../lab/topology.js';
import { asymmetric, cleanPath, leafSpine, lossyCap, nicMismatch, routerFragNeeded, routerIcmpFiltered, silentCap } from '../lab/topologies.js';

export interface BenchPath {
  /** Short name for the table. */
  name: string;
  topology: () => Topology;
  /** The largest whole IP packet that gets from h1 to h2, the same for IPv4 and IPv6 in this lab. */
  truthBytes: number;
}

export const BENCH_PATHS: readonly BenchPath[] = [
  { name: 'clean', topology: () => cleanPath({ mtuBytes: 9000 }), truthBytes: 9000 },
  { name: 'silentCap', topology: () => silentCap({ capBytes: 4470 }), truthBytes: 4470 },
  { name: 'routerPtb', topology: () => routerFragNeeded({ routerMtuBytes: 4000 }), truthBytes: 4000 },
  { name: 'routerNoIcmp', topology: () => routerIcmpFiltered({ routerMtuBytes: 4000 }), truthBytes: 4000 },
  { name: 'lossyCap', topology: () => lossyCap({ capBytes: 4470, lossPercent: 2 }), truthBytes: 4470 },
  { name: 'nicMismatch', topology: () => nicMismatch({ h1MtuBytes: 9000, h2MtuBytes: 1500 }), truthBytes: 1500 },
  // h1→h2 is the forward cap; the 2000 reverse cap only matters to tools that need a big reply.
  { name: 'asymmetric', topology: () => asymmetric({ forwardCapBytes: 4000, reverseCapBytes: 2000 }), truthBytes: 4000 },
];

export interface MultipathBenchPath extends BenchPath {
  /** What a flow crossing a good spine finds: the value a one-flow tool gives when it is blind. */
  goodSpineBytes: number;
  /** The faulty spine's expected share of the flows (1 of `spines`, by uniform hashing). */
  faultyShare: number;
}

/**
 * Leaf-spine fabrics, every link 9000, whose last spine silently drops above 1500: truthBytes is
 * the size safe for every flow, 1500, in both directions. A tool that probes one flow gets 1500
 * only when that flow hashes onto the faulty spine, 9000 otherwise.
 */
export const MULTIPATH_BENCH_PATHS: readonly MultipathBenchPath[] = [
  { name: 'leafSpine2', topology: () => leafSpine({ spines: 2, faultCapBytes: 1500, faultIcmp: false }), truthBytes: 1500, goodSpineBytes: 9000, faultyShare: 1 / 2 },
  { name: 'leafSpine4', topology: () => leafSpine({ spines: 4, faultCapBytes: 1500, faultIcmp: false }), truthBytes: 1500, goodSpineBytes: 9000, faultyShare: 1 / 4 },
];
