import type { ProbeRecord } from '../../proto/pmtuSweep.js';
import type { FlowCoverage } from '../model/pmtuReport.js';

/**
 * The probe log a report keeps. A one-flow sweep keeps every probe. A multi-flow sweep keeps the
 * probes of each class's representative flow, the worst class's first: 23 flows of a 32-host run
 * made the stored run hundreds of megabytes of probes that repeat each other, while every flow's
 * own result stays in `flows.sweeps`, so nothing measured is lost. One pass over the probes. Pure.
 */
export function representativeProbeLog(probes: readonly ProbeRecord[], coverage: FlowCoverage | null | undefined): { probeLog: ProbeRecord[]; probeLogOmitted: number } {
  const kept = coverage?.classes.map((c) => c.representativeFlow).filter((f): f is number => f !== undefined) ?? [];
  if (kept.length === 0) return { probeLog: [...probes], probeLogOmitted: 0 };
  const byFlow = new Map<number, ProbeRecord[]>(kept.map((flow) => [flow, []]));
  let unflowed = 0;
  for (const p of probes) {
    if (p.flow === undefined) unflowed += 1;
    else byFlow.get(p.flow)?.push(p);
  }
  // A probe that names no flow cannot be placed in a class; a multi-flow agent never sends one.
  if (unflowed > 0) return { probeLog: [...probes], probeLogOmitted: 0 };
  const probeLog = kept.flatMap((flow) => byFlow.get(flow)!);
  return { probeLog, probeLogOmitted: probes.length - probeLog.length };
}
