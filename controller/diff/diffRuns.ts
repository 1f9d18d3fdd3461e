import { TEST_KINDS } from '../kinds/testKinds.js';
import { DIRECTIONS } from '../model/direction.js';
import type { Pair } from '../model/pair.js';
import { pairDirection, type PairDirectionView } from '../model/pairDirections.js';
import { RUN_DIFF_SCHEMA, type DiffChange, type DiffOptions, type DirectionDiff, type DirectionSnapshot, type PairDiff, type RunDiff, type RunRef } from '../model/runDiff.js';
import type { RunReport } from '../model/runReport.js';
import { DEFAULT_THROUGHPUT_THRESHOLD } from '../throughput/diffThroughput.js';
import { attachEnvironment, environmentChanges } from './environmentChanges.js';

function snapshot(d: PairDirectionView): DirectionSnapshot {
  return { verdict: d.verdict, pathMtu: d.pathMtu, jumboVerdict: d.jumboVerdict };
}

/** 'h1 → h2' as the measurements named it, or from the plan's agent names. */
function routeOf(d: PairDirectionView): string {
  return d.report?.direction ?? d.throughput?.route ?? `${d.sender.agent} → ${d.receiver.agent}`;
}

function missingExplanation(pair: Pair, other: RunReport, otherName: 'newer' | 'older'): string {
  for (const end of [pair.a, pair.b]) {
    const f = other.facts[end.agent];
    if (f && 'error' in f) return `agent ${end.agent} could not be reached in the ${otherName} run: ${f.error}`;
    if (!other.plan.agents.some((agent) => agent.name === end.agent)) return `agent ${end.agent} is not in the ${otherName} run's plan`;
  }
  return `not among the ${otherName} run's pairs (its plan tests other addresses)`;
}

/**
 * What changed from `base` to `next`, per pair and direction: each registered test kind judges its
 * own results, and the environment changes that may explain them are attached. Pure.
 */
export function diffRuns(base: RunReport, next: RunReport, options: DiffOptions = {}): RunDiff {
  const threshold = options.throughputThreshold ?? DEFAULT_THROUGHPUT_THRESHOLD;
  const environment = environmentChanges(base, next);
  const baseById = new Map(base.pairs.map((p) => [p.pair.id, p]));
  const nextIds = new Set(next.pairs.map((p) => p.pair.id));
  const pairs: PairDiff[] = [];

  for (const result of next.pairs) {
    const pairId = result.pair.id;
    const old = baseById.get(pairId);
    if (!old) {
      const change: DiffChange = {
        pairId, direction: null, kind: 'pair-added', category: 'pair', subject: null, before: null, after: pairId,
        significant: true, regression: false, explanation: `new pair: ${missingExplanation(result.pair, base, 'older')}`,
      };
      pairs.push({ pairId, pair: result.pair, status: 'added', changes: [change], directions: [], changed: true, regressed: false });
      continue;
    }
    const directions: DirectionDiff[] = DIRECTIONS.map((direction) => {
      const before = pairDirection(old, direction);
      const after = pairDirection(result, direction);
      const perf = TEST_KINDS.flatMap((kind) => kind.diffDirection({ pairId, base: before, next: after, options: { throughputThreshold: threshold } }));
      const changes = perf.length ? [...perf, ...attachEnvironment(pairId, direction, environment)] : [];
      return {
        direction, route: routeOf(after), before: snapshot(before), after: snapshot(after),
        changes, regressed: changes.some((c) => c.regression),
      };
    });
    const changed = directions.some((d) => d.changes.length > 0);
    pairs.push({ pairId, pair: result.pair, status: 'compared', changes: [], directions, changed, regressed: directions.some((d) => d.regressed) });
  }
  for (const result of base.pairs) {
    const pairId = result.pair.id;
    if (nextIds.has(pairId)) continue;
    const change: DiffChange = {
      pairId, direction: null, kind: 'pair-removed', category: 'pair', subject: null, before: pairId, after: null,
      significant: true, regression: false, explanation: `pair no longer tested: ${missingExplanation(result.pair, next, 'newer')}`,
    };
    pairs.push({ pairId, pair: result.pair, status: 'removed', changes: [change], directions: [], changed: true, regressed: false });
  }

  const changes = pairs.flatMap((p) => [...p.changes, ...p.directions.flatMap((d) => d.changes)]);
  const ref = (r: RunReport): RunRef => ({ runId: r.runId, startedAt: r.startedAt, status: r.status });
  const compared = pairs.filter((p) => p.status === 'compared');
  return {
    schema: RUN_DIFF_SCHEMA,
    base: ref(base),
    next: ref(next),
    throughputThreshold: threshold,
    regressed: changes.some((c) => c.regression),
    pairs,
    environment,
    changes,
    summary: {
      pairsCompared: compared.length,
      pairsAdded: pairs.filter((p) => p.status === 'added').length,
      pairsRemoved: pairs.filter((p) => p.status === 'removed').length,
      pairsChanged: compared.filter((p) => p.changed).length,
      pairsUnchanged: compared.filter((p) => !p.changed).length,
      changes: changes.length,
      significant: changes.filter((c) => c.significant).length,
      regressions: changes.filter((c) => c.regression).length,
    },
  };
}
