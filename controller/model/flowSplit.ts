/**
 * Where the flows of a multipath direction part, from the routers each flow crossed (TTL-limited
 * probes over its own 5-tuple). Failing flows found a smaller path MTU than the best flows.
 */
export type FlowSplit =
  | {
    /** Some hops are crossed only by failing flows: the fault is at or right after the first. */
    kind: 'routed';
    hops: FailingOnlyHop[];
    failingFlows: number;
    passingFlows: number;
  }
  | {
    /** Failing and passing flows cross the same routers: the paths part inside a link (LAG, L2 ECMP). */
    kind: 'below-l3';
    /** The routers every flow crosses, in order; empty when the hosts share one L2 segment. */
    routers: string[];
    failingFlows: number;
    passingFlows: number;
  }
  | {
    /** No claim: traces missing, or hops unanswered, or routes that overlap without one failing-only hop. */
    kind: 'unknown';
    reason: string;
  };

export interface FailingOnlyHop {
  /** Hop limit at which the router answered (1 = first router). */
  hop: number;
  /** The routers failing flows met there (usually one); no passing flow met any of them there. */
  addresses: string[];
}
