import { createHash } from 'node:crypto';
import type { Plan } from '../model/plan.js';

/**
 * The key a baseline is stored under: which fabric a plan tests, not how it tests it.
 *
 * `plan-` + the first 16 hex digits of the SHA-256 of the plan's agents, sorted by name, each with
 * its data-plane addresses (sorted) or `all`. Agent URLs, labels, expectations, stream counts and
 * durations are left out on purpose: moving an agent's management address or adding a stream count
 * keeps the baseline; adding, removing or renaming an agent, or changing the addresses it tests,
 * makes it another plan. The key is the same whether it comes from a plan file (`--plan
 * rack12.yaml`, wherever that file lives) or from the plan stored with a run. Pure.
 */
export function planKeyOf(plan: Pick<Plan, 'agents'>): string {
  const identity = [...plan.agents]
    .map((agent) => [agent.name, agent.addresses === 'all' ? 'all' : [...agent.addresses].sort()] as const)
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return `plan-${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16)}`;
}

/** A short human description of a plan for messages: its agent names. */
export function planLabelOf(plan: Pick<Plan, 'agents'>): string {
  const names = plan.agents.map((agent) => agent.name);
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more agents`;
}
