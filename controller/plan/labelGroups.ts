import type { PlanAgent } from '../model/plan.js';

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
