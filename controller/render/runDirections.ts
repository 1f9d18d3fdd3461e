import { endpointKey, type Endpoint } from '../model/endpoint.js';
import { DIRECTIONS } from '../model/direction.js';
import { pairDirection, type PairDirectionView } from '../model/pairDirections.js';
import type { RunReport } from '../model/runReport.js';
import { html, type SafeHtml } from './html.js';

/** Every tested endpoint, in plan order (the order pairs name them). */
export function runEndpoints(report: RunReport): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const p of report.pairs) {
    for (const e of [p.pair.a, p.pair.b]) if (!seen.has(endpointKey(e))) seen.set(endpointKey(e), e);
  }
  const order = new Map(report.plan.agents.map((a, i) => [a.name, i]));
  const rank = (e: Endpoint): number => order.get(e.agent) ?? order.size;
  return [...seen.values()].sort((x, y) => rank(x) - rank(y));
}

/** Look-up of a run's pair directions by sender → receiver, for the matrices. */
export function runDirections(report: RunReport): (sender: Endpoint, receiver: Endpoint) => PairDirectionView | null {
  const byKey = new Map<string, PairDirectionView>();
  for (const result of report.pairs) {
    for (const direction of DIRECTIONS) {
      const view = pairDirection(result, direction);
      byKey.set(`${endpointKey(view.sender)}>${endpointKey(view.receiver)}`, view);
    }
  }
  return (sender, receiver) => byKey.get(`${endpointKey(sender)}>${endpointKey(receiver)}`) ?? null;
}

/** Row and column header of an endpoint: the agent's name over its address. */
export function endpointHeader(e: Endpoint): SafeHtml {
  return html`<span class="host">${e.agent}</span><span class="addr">${e.address}</span>`;
}
