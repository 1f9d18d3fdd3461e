import { html, type SafeHtml } from '../../render/html.js';
import type { Endpoint } from '../../model/endpoint.js';
import type { DirectionReport } from '../../model/pmtuReport.js';
import type { PairResult, RunReport } from '../../model/runReport.js';
import type { ThroughputDirectionMatrix } from '../../model/throughputMatrix.js';

/** One measured direction of one pair, found by sender and receiver. */
export interface RunDirection {
  pair: PairResult;
  direction: 'forward' | 'reverse';
  sender: Endpoint;
  receiver: Endpoint;
  /** Null when the pair's path MTU could not run, or for an echo sweep's missing reverse. */
  pmtu: DirectionReport | null;
  throughput: ThroughputDirectionMatrix | null;
}

export const endpointKey = (e: Endpoint): string => `${e.agent}/${e.address}`;

/** Every tested endpoint, in plan order (the order pairs name them). */
export function runEndpoints(report: RunReport): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const p of report.pairs) {
    for (const e of [p.pair.a, p.pair.b]) if (!seen.has(endpointKey(e))) seen.set(endpointKey(e), e);
  }
  const order = report.plan.agents.map((a) => a.name);
  const rank = (e: Endpoint): number => {
    const i = order.indexOf(e.agent);
    return i < 0 ? order.length : i;
  };
  return [...seen.values()].sort((x, y) => rank(x) - rank(y));
}

/** Look-up of directions by sender → receiver. */
export function runDirections(report: RunReport): (sender: Endpoint, receiver: Endpoint) => RunDirection | null {
  const byKey = new Map<string, RunDirection>();
  for (const pair of report.pairs) {
    for (const direction of ['forward', 'reverse'] as const) {
      const [sender, receiver] = direction === 'forward' ? [pair.pair.a, pair.pair.b] : [pair.pair.b, pair.pair.a];
      const pmtu = pair.pmtu ? (direction === 'forward' ? pair.pmtu.forward : pair.pmtu.reverse) : null;
      const throughput = pair.throughput?.directions.find((d) => d.direction === direction) ?? null;
      byKey.set(`${endpointKey(sender)}>${endpointKey(receiver)}`, { pair, direction, sender, receiver, pmtu, throughput });
    }
  }
  return (sender, receiver) => byKey.get(`${endpointKey(sender)}>${endpointKey(receiver)}`) ?? null;
}

/** Row and column header of an endpoint: the agent's name over its address. */
export function endpointHeader(e: Endpoint): SafeHtml {
  return html`<span class="host">${e.agent}</span><span class="addr">${e.address}</span>`;
}
