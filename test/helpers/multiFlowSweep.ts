import type { NicFacts } from '../../proto/agentFacts.js';
import type { PmtuSweepResult, ProbeRecord } from '../../proto/pmtuSweep.js';
import { combineFlowSweeps } from '../../agent/probe/combineFlowSweeps.js';
import { pmtuReport } from '../../controller/pmtu/pmtuReport.js';
import type { PmtuReport } from '../../controller/model/pmtuReport.js';

/*
 * Multi-flow sweeps as an agent returns them (through the agent's own combineFlowSweeps), for
 * tests of what the controller makes of flows that split over paths with different MTUs.
 */

/** One flow: the path MTU it finds (null: no answer), and how larger probes fail on a capped path. */
export interface FlowPlan {
  pathMtu: number | null;
  /** 'icmp': a router at 198.18.9.1 reports the MTU (frag-needed); default silent. */
  failure?: 'silent' | 'icmp';
  /** The routers the flow's trace met, hop by hop (the peer one hop further); no trace when absent. */
  hops?: string[];
}

const NIC_MTU = 9000;

function probe(sizeBytes: number, round: number, outcome: ProbeRecord['outcome'], icmpMtu: number | null = null): ProbeRecord {
  const passed = outcome === 'passed';
  return {
    sizeBytes, round, sentAtMs: round * 3, outcome, rttMs: passed ? 0.2 : null, receivedBytes: passed ? sizeBytes : null,
    icmp: icmpMtu === null ? null : { from: '198.18.9.1', mtuBytes: icmpMtu, probeBytes: sizeBytes }, error: outcome === 'too-big-local' ? 'EMSGSIZE' : null,
  };
}

function oneFlow(plan: FlowPlan, sourcePort: number): PmtuSweepResult {
  const { pathMtu } = plan;
  const icmp = plan.failure === 'icmp';
  const capped = pathMtu !== null && pathMtu < NIC_MTU;
  const fail = pathMtu === null ? 'silent' : !capped ? 'too-big-local' : icmp ? 'too-big-icmp' : 'silent';
  const probes = pathMtu === null
    ? [probe(1200, 0, 'silent'), probe(1200, 0, 'silent'), probe(1200, 0, 'silent')]
    : [probe(1200, 0, 'passed'), probe(pathMtu, 1, 'passed'), ...[2, 3, 4].map((r) => probe(pathMtu + 1, r, fail, fail === 'too-big-icmp' ? pathMtu : null))];
  return {
    v: 1, mode: 'peer', family: 4, sourceAddress: '198.18.1.1', targetAddress: '198.18.1.2', device: 'eth0', deviceMtuBytes: NIC_MTU,
    reachable: pathMtu !== null, largestOkBytes: pathMtu, smallestFailBytes: pathMtu === null ? null : pathMtu + 1,
    failEvidence: {
      silent: fail === 'silent' && pathMtu !== null ? 3 : 0, icmp: fail === 'too-big-icmp' ? 3 : 0, local: fail === 'too-big-local' ? 3 : 0, sendError: 0,
    },
    complete: pathMtu !== null,
    icmpHints: fail === 'too-big-icmp' ? [{ from: '198.18.9.1', mtuBytes: pathMtu!, probeBytes: pathMtu! + 1 }] : [],
    probes, probesSent: probes.length, rounds: 4, timeoutMs: 50, lossEstimate: 0, elapsedMs: 40, sourcePort,
  };
}

/** A direction swept over these flows, in order. */
export function multiFlowSweep(flows: readonly FlowPlan[]): PmtuSweepResult {
  const combined = combineFlowSweeps(flows.map((f, i) => oneFlow(f, 40000 + i)), 120);
  // The agent traces flows after combining them (runFlowSweeps.ts), when they disagree.
  if (flows.some((f) => f.hops)) {
    combined.flows = combined.flows?.map((f, i) => {
      const hops = flows[i]?.hops;
      return hops ? { ...f, trace: { hops, reachedAtHop: hops.length + 1 } } : f;
    });
  }
  return combined;
}

/** `n` flows with this path MTU. */
export const flowsAt = (n: number, pathMtu: number | null, failure?: FlowPlan['failure'], hops?: string[]): FlowPlan[] =>
  Array.from({ length: n }, () => ({ pathMtu, ...(failure ? { failure } : {}), ...(hops ? { hops } : {}) }));

function nic(address: string): NicFacts {
  return { name: 'eth0', mtuBytes: NIC_MTU, addresses: [`${address}/24`], macAddress: null, speedMbps: 25000, driver: 'veth', operState: 'up' };
}

/** The pmtu report of h1 (198.18.1.1) ⇄ h2 (198.18.1.2) with 9000-byte NICs, each direction over these flows. */
export function multiFlowReport(forward: readonly FlowPlan[], reverse: readonly FlowPlan[] = forward): PmtuReport {
  const end = (name: string, address: string) => ({ name, url: `http://${address}:7420`, address, facts: null, nic: nic(address) });
  return pmtuReport({
    mode: 'peer', from: end('h1', '198.18.1.1'), to: end('h2', '198.18.1.2'),
    forward: { ok: true, sweep: multiFlowSweep(forward) },
    reverse: { ok: true, sweep: multiFlowSweep(reverse) },
  });
}
