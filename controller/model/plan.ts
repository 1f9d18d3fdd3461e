/*
 * What a plan says: the agents, their addresses and labels, what to expect, which test kinds to run
 * and how much at once. Plan parsing, scheduling, storage, diagnosis and reports all speak it.
 */

/** The test kinds a plan can name; each is a module of its own (see run/testKinds.ts). */
export const TEST_KIND_NAMES = ['pmtu', 'throughput'] as const;
export type TestKindName = (typeof TEST_KIND_NAMES)[number];

export interface PlanAgent {
  name: string;
  url: string;
  /** Data-plane addresses to test on this host; 'all' = every global address its agent reports. */
  addresses: string[] | 'all';
  /** Free-form labels such as rack, switch, tor: the roll-up and culprit inference group by them. */
  labels: Record<string, string>;
  /**
   * Labels of one NIC, by its canonical address, over the agent's own: h1's 198.18.1.1 on
   * `switch: tor-a`, its 198.18.2.1 on `switch: tor-b`. Absent when the plan gives none.
   */
  nicLabels?: Record<string, Record<string, string>>;
}

/**
 * Which endpoints are paired: 'in-rail' only those on one rail (the same `rail` label, or else the
 * same IP subnet), 'all' every endpoint with every endpoint of the same family, 'fabric' a
 * Pingmesh-like sample within each rail (every pair within a ToR, every ToR pair once, every
 * endpoint at least once across ToRs).
 */
export type PairingRule = 'in-rail' | 'all' | 'fabric';

export interface PlanExpectations {
  /** Path MTU expected in every direction. */
  pathMtu?: number;
  /** Best throughput cell / link speed, per direction, must reach this. */
  minLinkEfficiency?: number;
  maxRetransmitsPerGB?: number;
}

/** One label value, e.g. `{ key: 'switch', value: 'tor-b12' }` for `switch=tor-b12`. */
export interface LabelSelector {
  key: string;
  value: string;
}

export interface Plan {
  /** Absolute path of the token file (resolved against the plan file's directory). */
  tokenFile: string;
  /** HTTPS to the agents: absolute paths of the CA and (mutual TLS) the controller's certificate and key. */
  tls?: { ca?: string; cert?: string; key?: string };
  agents: PlanAgent[];
  expect: PlanExpectations;
  tests: TestKindName[];
  throughput: { streams: number[]; durationMs: number; repeats: number };
  /**
   * Flows each path-MTU direction is probed over (1 = one flow). More flows find the path MTU of
   * every ECMP path. A parsed plan always has it (23 unless the plan says otherwise); it is absent
   * only in plans stored before it existed, which ran one flow, and a resume keeps them at 1.
   */
  pmtu?: { flows: number };
  /**
   * A parsed plan always has it ('in-rail' unless the plan says `pairs: all`); absent only in plans
   * stored before rails existed, which paired everything, and a resume keeps them so.
   */
  pairs?: PairingRule;
  concurrency: {
    /** How many path-MTU pair sweeps run at once. */
    pmtuParallel: number;
    /** 'rounds': disjoint pairs at once (no host in two tests); 'serial': one pair at a time. */
    throughput: 'rounds' | 'serial';
  };
  /**
   * `run --only-through switch=tor-b12`: only the pairs crossing this label value (one end has it,
   * the other not) are tested. Not part of a plan file: set by the CLI and stored with the run's
   * plan, so `--resume` keeps it. Absent = every pair. Not part of the plan key (planKey.ts): a
   * restricted run shares the baseline of its plan.
   */
  onlyThrough?: LabelSelector;
}
