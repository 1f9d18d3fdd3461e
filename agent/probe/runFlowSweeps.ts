import pLimit from 'p-limit';
import type { FlowTrace, PmtuSweepRequest, PmtuSweepResult } from '../../proto/pmtuSweep.js';
import { combineFlowSweeps } from './combineFlowSweeps.js';
import { flowPassesAbove } from './confirmFlowReading.js';
import { runPmtuSweep, type FlowIdentity } from './runPmtuSweep.js';
import { traceFlow } from './traceFlow.js';
import type { ProbeTarget } from './probeTransport.js';

/**
 * Flows of one sweep that probe at once. Flows that pass finish in one round-trip, so what this
 * bounds is the failing flows, each a few rounds of silence: 16 lets the usual one in two or one
 * in four failing flows of 23 run in one wave (well under a second per direction in the lab).
 * Each holds three sockets (raw sender, ICMP listener, ack socket): an agent's 16 sweeps at once
 * hold 768, within the hard limit Node raises its soft limit to at start (524288 under systemd).
 */
const FLOWS_AT_ONCE = 16;

type PeerRequest = Extract<PmtuSweepRequest, { mode: 'peer' }>;

const pathMtuOf = (r: PmtuSweepResult): number | null => (r.reachable ? r.largestOkBytes : null);

/** The largest path MTU any flow proved, or null when the flows all agree (or none got through). */
function bestIfFlowsDisagree(results: readonly PmtuSweepResult[]): number | null {
  const answers = new Set(results.map(pathMtuOf));
  if (answers.size < 2) return null;
  const sizes = [...answers].filter((m): m is number => m !== null);
  return sizes.length === 0 ? null : Math.max(...sizes);
}

/**
 * One direction over `flows` flows: each flow is a whole one-flow sweep from its own UDP source
 * port (and IPv6 flow label), so ECMP and LAG hashing put it on its own path. Flows that pass at
 * the NIC MTU finish in their first round; only failing ones are bisected. When the flows
 * disagree, each flow that read smaller is asked again over its own 5-tuple (and swept again if
 * it now passes above its reading), then every flow is traced, so that the controller can name
 * the hop that only failing flows cross. Echo sweeps stay one flow (ICMP has no ports).
 */
export async function runFlowSweeps(request: PmtuSweepRequest): Promise<PmtuSweepResult> {
  const flows = request.mode === 'peer' ? request.flows : 1;
  if (request.mode !== 'peer' || flows <= 1) return runPmtuSweep(request);
  const startedAt = performance.now();
  const limit = pLimit(FLOWS_AT_ONCE);
  let results = await Promise.all(Array.from({ length: flows }, () => limit(() => runPmtuSweep(request))));
  const best = bestIfFlowsDisagree(results);
  if (best !== null) results = await Promise.all(results.map((r) => limit(() => confirmed(request, r, best))));
  const traces = bestIfFlowsDisagree(results) !== null
    ? await Promise.all(results.map((r) => limit(() => traceOf(request, r))))
    : null;
  const combined = combineFlowSweeps(results, Math.round((performance.now() - startedAt) * 10) / 10);
  if (traces !== null) combined.flows = combined.flows?.map((f, i) => ({ ...f, trace: traces[i] ?? null }));
  return combined;
}

function identityOf(flow: PmtuSweepResult): FlowIdentity | null {
  if (flow.sourcePort === null || flow.sourcePort === undefined) return null;
  return { sourcePort: flow.sourcePort, ...(flow.flowLabel === null || flow.flowLabel === undefined ? {} : { flowLabel: flow.flowLabel }) };
}

function targetOf(request: PeerRequest, flow: PmtuSweepResult, identity: FlowIdentity): Extract<ProbeTarget, { mode: 'peer' }> {
  return {
    mode: 'peer', address: request.target.address, port: request.target.port, keyHex: request.target.keyHex,
    ...identity, ...(flow.sourceAddress === null ? {} : { sourceAddress: flow.sourceAddress }),
  };
}

/**
 * A flow that read below `best` keeps its reading only if the sizes it said fail still fail; else
 * it is swept again over the same 5-tuple and the new sweep is its answer. Its first probes stay in
 * the log, so nothing measured is dropped. A flow that cannot be asked again keeps its reading.
 */
async function confirmed(request: PeerRequest, flow: PmtuSweepResult, best: number): Promise<PmtuSweepResult> {
  const mtu = pathMtuOf(flow);
  const identity = identityOf(flow);
  if (mtu === best || mtu === null || identity === null) return flow;
  const failedAt = flow.smallestFailBytes ?? mtu + 1;
  try {
    const passes = await flowPassesAbove({
      target: targetOf(request, flow, identity), ...(flow.device === null ? {} : { device: flow.device }),
      sizesBytes: [...new Set([best, failedAt])], sweepTimeoutMs: flow.timeoutMs,
    });
    if (!passes) return flow;
    const again = await runPmtuSweep({ ...request, flow: identity });
    const offset = Math.max(0, ...flow.probes.map((p) => p.round + 1));
    return {
      ...again,
      probes: [...flow.probes, ...again.probes.map((p) => ({ ...p, round: p.round + offset }))],
      probesSent: flow.probesSent + again.probesSent,
      resweptFrom: { largestOkBytes: flow.largestOkBytes, smallestFailBytes: flow.smallestFailBytes },
    };
  } catch {
    return flow;
  }
}

/** A flow's trace, or null when its 5-tuple could not be reused (its port was taken meanwhile). */
async function traceOf(request: PeerRequest, flow: PmtuSweepResult): Promise<FlowTrace | null> {
  const identity = identityOf(flow);
  if (identity === null) return null;
  try {
    return await traceFlow({
      target: targetOf(request, flow, identity), ...(flow.device === null ? {} : { device: flow.device }),
      sweepTimeoutMs: flow.timeoutMs,
    });
  } catch {
    return null;
  }
}
