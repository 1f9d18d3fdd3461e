import type { FlowSweep, PmtuSweepResult } from '../../proto/pmtuSweep.js';

function flowSummary(result: PmtuSweepResult): FlowSweep {
  return {
    sourcePort: result.sourcePort ?? null,
    ...(result.flowLabel === null || result.flowLabel === undefined ? {} : { flowLabel: result.flowLabel }),
    reachable: result.reachable,
    largestOkBytes: result.largestOkBytes,
    smallestFailBytes: result.smallestFailBytes,
    failEvidence: result.failEvidence,
    complete: result.complete,
    probesSent: result.probesSent,
    rounds: result.rounds,
    ...(result.resweptFrom === undefined ? {} : { resweptFrom: result.resweptFrom }),
  };
}

/** Smaller is less safe: a flow that proved nothing comes first, then the smallest path MTU. */
function safetyRank(result: PmtuSweepResult): number {
  return result.reachable && result.largestOkBytes !== null ? result.largestOkBytes : -1;
}

/**
 * One direction's result from the sweeps of its flows: the top-level facts are those of the flow
 * with the smallest path MTU (the size any connection can use, whatever path it is hashed onto),
 * every flow's own result is kept in `flows`, and every probe says which flow sent it. Pure.
 */
export function combineFlowSweeps(results: readonly PmtuSweepResult[], elapsedMs: number): PmtuSweepResult {
  if (results.length === 0) throw new RangeError('combineFlowSweeps needs at least one flow');
  // A flow's own re-sweep history belongs to that flow (in `flows`), not to the direction.
  const { resweptFrom: _, ...safest } = results.reduce((worst, r) => (safetyRank(r) < safetyRank(worst) ? r : worst));
  const hints = new Map<string, PmtuSweepResult['icmpHints'][number]>();
  for (const r of results) for (const h of r.icmpHints) hints.set(`${h.from}/${h.mtuBytes}`, h);
  return {
    ...safest,
    complete: results.every((r) => r.complete),
    icmpHints: [...hints.values()],
    probes: results.flatMap((r, flow) => r.probes.map((p) => ({ ...p, flow }))),
    probesSent: results.reduce((sum, r) => sum + r.probesSent, 0),
    rounds: Math.max(...results.map((r) => r.rounds)),
    lossEstimate: Math.max(...results.map((r) => r.lossEstimate)),
    timeoutMs: Math.max(...results.map((r) => r.timeoutMs)),
    elapsedMs,
    sourcePort: null,
    flowLabel: null,
    flows: results.map(flowSummary),
  };
}
