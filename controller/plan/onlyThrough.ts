import { PathprobeError } from '../../proto/errorCodes.js';
import type { Pair } from '../model/pair.js';
import type { LabelSelector, PlanAgent } from '../model/plan.js';
import type { RunReport } from '../model/runReport.js';
import { inLabelGroup, labelGroups } from './labelGroups.js';

/*
 * `pathprobe run --only-through switch=tor-b12`: after a switch swap, test only the pairs that cross
 * that label value, i.e. one end has it and the other not (the same "crossing" the roll-up and the
 * culprit inference use). Pure.
 */

export function selectorText(selector: LabelSelector): string {
  return `${selector.key}=${selector.value}`;
}

/** `switch=tor-b12` → `{ key: 'switch', value: 'tor-b12' }`; anything else is ERR_USAGE. */
export function parseLabelSelector(text: string): LabelSelector {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  const value = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (!key || !value) throw new PathprobeError('ERR_USAGE', `--only-through ${JSON.stringify(text)}: give one LABEL=VALUE, e.g. switch=tor-b12`);
  return { key, value };
}

/**
 * The agents carrying the label value. ERR_USAGE (one line, naming what the plan has) for a label
 * key or value no agent carries, and for one every agent carries (then no pair crosses it).
 */
export function agentsWithLabel(agents: readonly PlanAgent[], selector: LabelSelector): string[] {
  const groups = labelGroups(agents);
  const label = selectorText(selector);
  const group = groups.find((g) => g.key === selector.key && g.value === selector.value);
  if (!group) {
    const values = groups.filter((g) => g.key === selector.key).map((g) => g.scope);
    const keys = [...new Set(groups.map((g) => g.key))];
    throw new PathprobeError('ERR_USAGE', values.length
      ? `--only-through ${label}: no agent of the plan has it (the plan has ${values.join(', ')})`
      : `--only-through ${label}: no agent of the plan has a label ${JSON.stringify(selector.key)} (its labels: ${keys.join(', ') || 'none'})`);
  }
  if (group.agents.length === agents.length) {
    throw new PathprobeError('ERR_USAGE', `--only-through ${label}: every agent of the plan has it, so no pair crosses it`);
  }
  return group.agents;
}

/**
 * The pairs crossing the label value (exactly one end on an agent carrying it), in their order.
 * `selector` as text (`switch=tor-b12`) or parsed. Throws ERR_USAGE for an unknown label or value.
 */
export function onlyThrough(pairs: readonly Pair[], agents: readonly PlanAgent[], selector: string | LabelSelector): Pair[] {
  const parsed = typeof selector === 'string' ? parseLabelSelector(selector) : selector;
  // For its ERR_USAGE on a label value no agent carries (or every agent does); membership is per NIC.
  agentsWithLabel(agents, parsed);
  const has = inLabelGroup(agents);
  return pairs.filter((pair) => has(parsed, pair.a) !== has(parsed, pair.b));
}

/** The pairs a run tests: all of them, or those crossing `plan.onlyThrough`. */
export function pairsInScope(plan: { agents: readonly PlanAgent[]; onlyThrough?: LabelSelector }, pairs: readonly Pair[]): Pair[] {
  return plan.onlyThrough ? onlyThrough(pairs, plan.agents, plan.onlyThrough) : [...pairs];
}

/**
 * `base` cut down to what a restricted run tested, so a diff against it compares only the pairs in
 * scope: its pairs crossing `scope.onlyThrough` (judged by the newer run's labels), and the facts
 * of the agents at their ends (host-level environment changes elsewhere are out of scope too).
 * Unchanged when there is no filter. Pure.
 */
export function reportInScope(base: RunReport, scope: { agents: readonly PlanAgent[]; onlyThrough?: LabelSelector }): RunReport {
  if (!scope.onlyThrough) return base;
  const inScope = new Set(onlyThrough(base.pairs.map((p) => p.pair), scope.agents, scope.onlyThrough).map((pair) => pair.id));
  const pairs = base.pairs.filter((p) => inScope.has(p.pair.id));
  const ends = new Set(pairs.flatMap((p) => [p.pair.a.agent, p.pair.b.agent]));
  const facts = Object.fromEntries(Object.entries(base.facts).filter(([agent]) => ends.has(agent)));
  return { ...base, pairs, facts };
}
