import type { DirectionReport } from '../pmtu/pmtuReport.js';
import type { Endpoint, Pair, PairResult, PlanAgent } from '../run/runModel.js';
import type { PmtuVerdict } from '../pmtu/pmtuVerdict.js';
import type { JumboVerdictKind } from '../throughput/throughputJumboVerdict.js';

/** A path MTU verdict, or 'error' when the direction could not be measured at all. */
export type RollupVerdict = PmtuVerdict | 'error';
export type PairDirection = 'forward' | 'reverse';

/** Best first. unreachable and error share the top rank (see `worstVerdict`). */
export const VERDICT_ORDER: readonly RollupVerdict[] = ['ok', 'mtu-mismatch', 'frag-needed', 'silent-drop', 'unreachable', 'error'];
const RANK: Record<RollupVerdict, number> = { ok: 0, 'mtu-mismatch': 1, 'frag-needed': 2, 'silent-drop': 3, unreachable: 4, error: 4 };
export const JUMBO_VERDICTS: readonly JumboVerdictKind[] = ['jumbo-gain', 'jumbo-no-gain', 'jumbo-slower', 'jumbo-stalled'];

export function verdictRank(v: RollupVerdict): number {
  return RANK[v];
}

/**
 * The worst of some verdicts: unreachable/error > silent-drop > frag-needed > mtu-mismatch > ok.
 * Between unreachable and error (same rank) unreachable is named: it is a finding about the path,
 * error only says the measurement failed. Null for none.
 */
export function worstVerdict(verdicts: Iterable<RollupVerdict>): RollupVerdict | null {
  let worst: RollupVerdict | null = null;
  for (const v of verdicts) {
    if (worst === null || RANK[v] > RANK[worst] || (RANK[v] === RANK[worst] && v === 'unreachable')) worst = v;
  }
  return worst;
}

/** One measured (or failed) direction of one pair. */
export interface DirectionOutcome {
  pair: Pair;
  direction: PairDirection;
  sender: Endpoint;
  receiver: Endpoint;
  verdict: RollupVerdict;
  pathMtu: number | null;
  /** The direction's report; null when the whole pair failed (`pmtuError`). */
  report: DirectionReport | null;
  /** Why the direction has no verdict, for 'error'. */
  error: { code: string; message: string } | null;
}

/**
 * The path MTU outcome of each direction of a pair: forward = a → b, reverse = b → a. A pair whose
 * sweep could not run (`pmtuError`) has both directions 'error'; a pair without a path MTU test
 * (or the reverse of an echo sweep) has no outcome for it. Pure.
 */
export function pairDirections(result: PairResult): DirectionOutcome[] {
  const { pair } = result;
  const ends = (direction: PairDirection) => direction === 'forward' ? { sender: pair.a, receiver: pair.b } : { sender: pair.b, receiver: pair.a };
  if (result.pmtu === null) {
    if (result.pmtuError === null) return [];
    return (['forward', 'reverse'] as const).map((direction) => ({
      pair, direction, ...ends(direction), verdict: 'error' as const, pathMtu: null, report: null, error: result.pmtuError,
    }));
  }
  const out: DirectionOutcome[] = [];
  for (const [direction, report] of [['forward', result.pmtu.forward], ['reverse', result.pmtu.reverse]] as const) {
    if (report === null) continue;
    out.push({
      pair, direction, ...ends(direction), verdict: report.verdict, report,
      pathMtu: report.verdict === 'error' ? null : report.pathMtu,
      error: report.verdict === 'error' ? report.error : null,
    });
  }
  return out;
}

/** How a set of pair directions came out. */
export interface VerdictTally {
  /** Path MTU directions counted, by verdict. */
  counts: Record<RollupVerdict, number>;
  directions: number;
  pairs: number;
  worst: RollupVerdict | null;
  /** Throughput jumbo verdicts of the same pairs, per direction. */
  jumbo: Record<JumboVerdictKind, number>;
}

export interface PairRollup {
  pairId: string;
  pair: Pair;
  forward: RollupVerdict | null;
  reverse: RollupVerdict | null;
  worst: RollupVerdict | null;
  jumbo: Partial<Record<PairDirection, JumboVerdictKind | null>>;
}

export interface NicRollup {
  /** `agent/address` */
  endpoint: string;
  agent: string;
  address: string;
  tally: VerdictTally;
}

export interface HostRollup {
  agent: string;
  labels: Record<string, string>;
  tally: VerdictTally;
}

export interface LabelRollup {
  key: string;
  value: string;
  /** `key=value`, the scope findings use. */
  scope: string;
  agents: string[];
  /** Every pair with at least one end in the group. */
  tally: VerdictTally;
  /** Pairs with both ends in the group. */
  within: VerdictTally;
  /** Pairs with exactly one end in the group: their traffic enters or leaves through it. */
  crossing: VerdictTally;
}

export interface Rollup {
  total: VerdictTally;
  pairs: PairRollup[];
  nics: NicRollup[];
  hosts: HostRollup[];
  /** Per label key, then value, in plan order of first appearance. */
  labels: LabelRollup[];
}

function emptyTally(): VerdictTally {
  return {
    counts: { ok: 0, 'mtu-mismatch': 0, 'frag-needed': 0, 'silent-drop': 0, unreachable: 0, error: 0 },
    directions: 0, pairs: 0, worst: null,
    jumbo: { 'jumbo-gain': 0, 'jumbo-no-gain': 0, 'jumbo-slower': 0, 'jumbo-stalled': 0 },
  };
}

interface PairFacts {
  result: PairResult;
  directions: DirectionOutcome[];
  jumbo: Partial<Record<PairDirection, JumboVerdictKind | null>>;
}

function tallyOf(pairs: readonly PairFacts[]): VerdictTally {
  const t = emptyTally();
  for (const p of pairs) {
    t.pairs++;
    for (const d of p.directions) {
      t.counts[d.verdict]++;
      t.directions++;
    }
    for (const v of Object.values(p.jumbo)) if (v) t.jumbo[v]++;
  }
  t.worst = worstVerdict(pairs.flatMap((p) => p.directions.map((d) => d.verdict)));
  return t;
}

/**
 * Verdict counts and the worst verdict per pair, per NIC (endpoint), per host (agent) and per label
 * value. A pair counts toward every NIC, host and label group one of its ends belongs to, with both
 * its directions; a pair between two members of a group counts once. Hosts come in plan order
 * (agents of results missing from the plan after them). Pure.
 */
export function rollUp(results: readonly PairResult[], agents: readonly PlanAgent[]): Rollup {
  const facts: PairFacts[] = results.map((result) => {
    const jumbo: PairFacts['jumbo'] = {};
    for (const d of result.throughput?.directions ?? []) jumbo[d.direction] = d.jumboVerdict.verdict;
    return { result, directions: pairDirections(result), jumbo };
  });

  const pairs: PairRollup[] = facts.map((f) => ({
    pairId: f.result.pair.id,
    pair: f.result.pair,
    forward: f.directions.find((d) => d.direction === 'forward')?.verdict ?? null,
    reverse: f.directions.find((d) => d.direction === 'reverse')?.verdict ?? null,
    worst: worstVerdict(f.directions.map((d) => d.verdict)),
    jumbo: f.jumbo,
  }));

  const nicOrder: Endpoint[] = [];
  const seen = new Set<string>();
  for (const f of facts) {
    for (const e of [f.result.pair.a, f.result.pair.b]) {
      const key = `${e.agent}/${e.address}`;
      if (!seen.has(key)) {
        seen.add(key);
        nicOrder.push(e);
      }
    }
  }
  const touches = (f: PairFacts, e: Endpoint) =>
    [f.result.pair.a, f.result.pair.b].some((x) => x.agent === e.agent && x.address === e.address);
  const nics: NicRollup[] = nicOrder.map((e) => ({
    endpoint: `${e.agent}/${e.address}`, agent: e.agent, address: e.address,
    tally: tallyOf(facts.filter((f) => touches(f, e))),
  }));

  const hostNames = [...new Set([...agents.map((a) => a.name), ...nicOrder.map((e) => e.agent)])];
  const labelsOf = new Map(agents.map((a) => [a.name, a.labels]));
  const hosts: HostRollup[] = hostNames.map((agent) => ({
    agent,
    labels: labelsOf.get(agent) ?? {},
    tally: tallyOf(facts.filter((f) => f.result.pair.a.agent === agent || f.result.pair.b.agent === agent)),
  }));

  const labels: LabelRollup[] = labelGroups(agents).map((g) => {
    const members = new Set(g.agents);
    const inGroup = (f: PairFacts) => [members.has(f.result.pair.a.agent), members.has(f.result.pair.b.agent)] as const;
    return {
      ...g,
      tally: tallyOf(facts.filter((f) => inGroup(f).some(Boolean))),
      within: tallyOf(facts.filter((f) => inGroup(f).every(Boolean))),
      crossing: tallyOf(facts.filter((f) => { const [x, y] = inGroup(f); return x !== y; })),
    };
  });

  return { total: tallyOf(facts), pairs, nics, hosts, labels };
}

/** Every label value and the agents carrying it, keys and values in plan order of first appearance. */
export function labelGroups(agents: readonly PlanAgent[]): Array<{ key: string; value: string; scope: string; agents: string[] }> {
  const groups = new Map<string, { key: string; value: string; scope: string; agents: string[] }>();
  const keys: string[] = [];
  for (const a of agents) for (const key of Object.keys(a.labels)) if (!keys.includes(key)) keys.push(key);
  for (const key of keys) {
    for (const a of agents) {
      const value = a.labels[key];
      if (value === undefined) continue;
      const scope = `${key}=${value}`;
      const g = groups.get(scope);
      if (g) g.agents.push(a.name);
      else groups.set(scope, { key, value, scope, agents: [a.name] });
    }
  }
  return [...groups.values()];
}
