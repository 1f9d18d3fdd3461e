import type { Endpoint } from '../model/endpoint.js';
import { labelsOfEndpoints } from '../model/endpointLabels.js';
import type { PlanAgent } from '../model/plan.js';

export interface LabelGroup {
  key: string;
  value: string;
  scope: string;
  /** Agents carrying the value on themselves or on one of their NICs, in plan order. */
  agents: string[];
}

/**
 * Every label value of the plan, on agents or on their NICs, and the agents carrying it; keys and
 * values in plan order of first appearance. Pure.
 */
export function labelGroups(agents: readonly PlanAgent[]): LabelGroup[] {
  const groups = new Map<string, LabelGroup>();
  const labelSets = (a: PlanAgent) => [a.labels, ...Object.values(a.nicLabels ?? {})];
  const keys: string[] = [];
  for (const a of agents) for (const set of labelSets(a)) for (const key of Object.keys(set)) if (!keys.includes(key)) keys.push(key);
  for (const key of keys) {
    for (const a of agents) {
      for (const value of new Set(labelSets(a).map((set) => set[key]).filter((v): v is string => v !== undefined))) {
        const scope = `${key}=${value}`;
        const g = groups.get(scope);
        if (g) {
          if (!g.agents.includes(a.name)) g.agents.push(a.name);
        } else {
          groups.set(scope, { key, value, scope, agents: [a.name] });
        }
      }
    }
  }
  return [...groups.values()];
}

/** Whether an endpoint carries the group's label value, its NIC's labels over its agent's. */
export function inLabelGroup(agents: readonly PlanAgent[]): (group: { key: string; value: string }, endpoint: Endpoint) => boolean {
  const labelsOf = labelsOfEndpoints(agents);
  return (group, endpoint) => labelsOf(endpoint)[group.key] === group.value;
}
