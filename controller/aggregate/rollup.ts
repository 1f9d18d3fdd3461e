import { endpointKey, type Endpoint } from '../model/endpoint.js';
import type { Direction } from '../model/direction.js';
import { pairDirections, type PairDirectionView } from '../model/pairDirections.js';
import type { PlanAgent } from '../model/plan.js';
import type { HostRollup, LabelRollup, NicRollup, PairRollup, Rollup, VerdictTally } from '../model/rollup.js';
import type { PairResult } from '../model/runReport.js';
import { JUMBO_VERDICTS, PATH_VERDICTS, worstVerdict, type JumboVerdictKind } from '../model/verdicts.js';
import { inLabelGroup, labelGroups } from '../plan/labelGroups.js';

function emptyTally(): VerdictTally {
  return {
    counts: Object.fromEntries(PATH_VERDICTS.map((v) => [v, 0])) as VerdictTally['counts'],
    directions: 0, pairs: 0, worst: null,
    jumbo: Object.fromEntries(JUMBO_VERDICTS.map((v) => [v, 0])) as VerdictTally['jumbo'],
  };
}

interface PairFacts {
  result: PairResult;
  directions: PairDirectionView[];
  jumbo: Partial<Record<Direction, JumboVerdictKind | null>>;
}

function tallyOf(pairs: readonly PairFacts[]): VerdictTally {
  const t = emptyTally();
  for (const p of pairs) {
    t.pairs++;
    for (const d of p.directions) {
      t.counts[d.verdict!]++;
      t.directions++;
    }
    for (const v of Object.values(p.jumbo)) if (v) t.jumbo[v]++;
  }
  t.worst = worstVerdict(pairs.flatMap((p) => p.directions.map((d) => d.verdict!)));
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
    worst: worstVerdict(f.directions.map((d) => d.verdict!)),
    jumbo: f.jumbo,
  }));

  const nicOrder: Endpoint[] = [];
  const seen = new Set<string>();
  for (const f of facts) {
    for (const e of [f.result.pair.a, f.result.pair.b]) {
      const key = endpointKey(e);
      if (!seen.has(key)) {
        seen.add(key);
        nicOrder.push(e);
      }
    }
  }
  // Each pair filed under its two NICs and two hosts in one pass: filtering every pair for every
  // NIC and host is NICs × pairs, cubic in the hosts of a rack.
  const byNic = new Map<string, PairFacts[]>();
  const byHost = new Map<string, PairFacts[]>();
  const file = <K>(index: Map<K, PairFacts[]>, keys: readonly K[], f: PairFacts) => {
    for (const key of new Set(keys)) {
      const list = index.get(key);
      if (list) list.push(f);
      else index.set(key, [f]);
    }
  };
  for (const f of facts) {
    const { a, b } = f.result.pair;
    file(byNic, [endpointKey(a), endpointKey(b)], f);
    file(byHost, [a.agent, b.agent], f);
  }
  const nics: NicRollup[] = nicOrder.map((e) => ({
    endpoint: endpointKey(e), agent: e.agent, address: e.address,
    tally: tallyOf(byNic.get(endpointKey(e)) ?? []),
  }));

  const hostNames = [...new Set([...agents.map((a) => a.name), ...nicOrder.map((e) => e.agent)])];
  const labelsOf = new Map(agents.map((a) => [a.name, a.labels]));
  const hosts: HostRollup[] = hostNames.map((agent) => ({
    agent,
    labels: labelsOf.get(agent) ?? {},
    tally: tallyOf(byHost.get(agent) ?? []),
  }));

  const has = inLabelGroup(agents);
  const labels: LabelRollup[] = labelGroups(agents).map((g) => {
    // Per NIC: a host whose two NICs hang off two switches is behind each only with that NIC.
    const inGroup = (f: PairFacts) => [has(g, f.result.pair.a), has(g, f.result.pair.b)] as const;
    return {
      ...g,
      tally: tallyOf(facts.filter((f) => inGroup(f).some(Boolean))),
      within: tallyOf(facts.filter((f) => inGroup(f).every(Boolean))),
      crossing: tallyOf(facts.filter((f) => { const [x, y] = inGroup(f); return x !== y; })),
    };
  });

  return { total: tallyOf(facts), pairs, nics, hosts, labels };
}
