import pLimit from 'p-limit';
import type { FlowTrace, PmtuSweepRequest, PmtuSweepResult, ProbeRecord } from '../../proto/pmtuSweep.js';
import { combineFlowSweeps } from './combineFlowSweeps.js';
import { askFlowAgain } from './confirmFlowReading.js';
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

/**
 * Each flow's search stops after its boundary failed in 2 rounds instead of 3: a flow that reads
 * smaller than its siblings is asked once more anyway (askFlowAgain), and that round is its third.
 * A flow that reads the best size needs none (it is proved by acks up to the NIC MTU).
 */
const FLOW_BOUNDARY_ROUNDS = 2;

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
  let results = await Promise.all(Array.from({ length: flows }, () => limit(() => runPmtuSweep({ ...request, boundaryRounds: FLOW_BOUNDARY_ROUNDS }))));
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
 * A flow that read below `best` is asked again at the sizes it said fail (askFlowAgain). Silence
 * completes its boundary proof (the third failing round); an ack means the reading was not the
 * path, and the flow is swept again over the same 5-tuple, the new sweep being its answer. Every
 * probe of every step stays in its log. A flow that cannot be asked again keeps its reading, but
 * not as proved: two rounds are not the three a boundary needs.
 */
async function confirmed(request: PeerRequest, flow: PmtuSweepResult, best: number): Promise<PmtuSweepResult> {
  const mtu = pathMtuOf(flow);
  const identity = identityOf(flow);
  if (mtu === best) return flow;
  if (mtu === null || identity === null) return { ...flow, complete: mtu === null ? flow.complete : false };
  const failedAt = flow.smallestFailBytes ?? mtu + 1;
  let reports;
  try {
    reports = await askFlowAgain({
      target: targetOf(request, flow, identity), ...(flow.device === null ? {} : { device: flow.device }),
      sizesBytes: [...new Set([best, failedAt])], sweepTimeoutMs: flow.timeoutMs,
    });
  } catch {
    return { ...flow, complete: false };
  }
  const round = Math.max(0, ...flow.probes.map((p) => p.round)) + 1;
  const asked: ProbeRecord[] = reports.map((r) => ({
    sizeBytes: r.sizeBytes, round, sentAtMs: r.sentAtMs, outcome: r.outcome, rttMs: r.rttMs, receivedBytes: r.receivedBytes, icmp: r.icmp, error: r.error,
  }));
  const withAsked = [...flow.probes, ...asked];
  if (!reports.some((r) => r.outcome === 'passed')) {
    const atBoundary = reports.filter((r) => r.sizeBytes === failedAt);
    const count = (outcome: string) => atBoundary.filter((r) => r.outcome === outcome).length;
    return {
      ...flow,
      probes: withAsked,
      probesSent: flow.probesSent + reports.length,
      rounds: flow.rounds + 1,
      failEvidence: {
        silent: flow.failEvidence.silent + count('silent'), icmp: flow.failEvidence.icmp + count('too-big-icmp'),
        local: flow.failEvidence.local + count('too-big-local'), sendError: flow.failEvidence.sendError + count('send-error'),
      },
    };
  }
  const again = await runPmtuSweep({ ...request, flow: identity }).catch(() => null);
  if (again === null) return { ...flow, probes: withAsked, probesSent: flow.probesSent + reports.length, complete: false };
  return {
    ...again,
    probes: [...withAsked, ...again.probes.map((p) => ({ ...p, round: p.round + round + 1 }))],
    probesSent: flow.probesSent + reports.length + again.probesSent,
    resweptFrom: { largestOkBytes: flow.largestOkBytes, smallestFailBytes: flow.smallestFailBytes },
  };
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
