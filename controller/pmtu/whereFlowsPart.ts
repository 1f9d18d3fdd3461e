import type { FlowSweep, FlowTrace } from '../../proto/pmtuSweep.js';
import type { FailingOnlyHop, FlowSplit } from '../model/flowSplit.js';

const pathMtuOf = (f: FlowSweep): number | null => (f.reachable ? f.largestOkBytes : null);

/**
 * Where failing and passing flows part, in the spirit of Paris traceroute: each flow was traced
 * over its own 5-tuple, so the routers it met are the ones its sweep met. A hop is named only when
 * every traced failing flow answered there, from routers no passing flow met there. When the
 * failing flows' routes are all routes passing flows also took, the split is below L3 (a LAG or
 * L2 ECMP member inside one link) and no router can be named. Null when the flows agree, or when
 * no flow carries a trace (an agent older than traces). Pure.
 */
export function whereFlowsPart(flows: readonly FlowSweep[] | undefined): FlowSplit | null {
  if (!flows || flows.length < 2) return null;
  const sizes = flows.map(pathMtuOf).filter((m): m is number => m !== null);
  if (sizes.length === 0) return null;
  const best = Math.max(...sizes);
  const failing = flows.filter((f) => pathMtuOf(f) !== best);
  const passing = flows.filter((f) => pathMtuOf(f) === best);
  // No flow traced: an older agent, which said nothing about where; not a finding of its own.
  if (failing.length === 0 || flows.every((f) => f.trace === undefined)) return null;
  const failingTraces = traced(failing);
  const passingTraces = traced(passing);
  if (failingTraces.length === 0 || passingTraces.length === 0) {
    return { kind: 'unknown', reason: 'some flows could not be traced (their source ports were taken meanwhile)' };
  }
  const depth = Math.max(...[...failingTraces, ...passingTraces].map((t) => t.hops.length));
  const failingOnly: FailingOnlyHop[] = [];
  let unanswered: number | null = null;
  for (let i = 0; i < depth; i += 1) {
    const atFailing = failingTraces.map((t) => t.hops[i] ?? null);
    const atPassing = new Set(passingTraces.map((t) => t.hops[i] ?? null).filter((a): a is string => a !== null));
    if (atFailing.some((a) => a === null) || atPassing.size === 0) {
      unanswered ??= i + 1;
      continue;
    }
    const addresses = [...new Set(atFailing as string[])].sort();
    if (addresses.every((a) => !atPassing.has(a))) failingOnly.push({ hop: i + 1, addresses });
  }
  const counts = { failingFlows: failing.length, passingFlows: passing.length };
  if (failingOnly.length > 0) return { kind: 'routed', hops: failingOnly, ...counts };
  if (unanswered !== null) return { kind: 'unknown', reason: `hop ${unanswered} did not answer every flow, so the routers cannot be compared` };
  const routesOf = (traces: readonly FlowTrace[]) => new Set(traces.map((t) => JSON.stringify([t.hops, t.reachedAtHop])));
  const passingRoutes = routesOf(passingTraces);
  if ([...routesOf(failingTraces)].every((route) => passingRoutes.has(route))) {
    return { kind: 'below-l3', routers: (failingTraces[0] as FlowTrace).hops as string[], ...counts };
  }
  return { kind: 'unknown', reason: 'failing and passing flows cross overlapping routers, none of them only by failing flows' };
}

function traced(flows: readonly FlowSweep[]): FlowTrace[] {
  return flows.map((f) => f.trace).filter((t): t is FlowTrace => t !== null && t !== undefined);
}
