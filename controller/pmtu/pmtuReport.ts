import { recordedErrorCode } from '../../proto/errorCodes.js';
import { pmtuVerdict } from './pmtuVerdict.js';
import { representativeProbeLog } from './representativeProbeLog.js';
import { inconclusiveMessage, pmtuInconclusive } from './pmtuInconclusive.js';
import type { DirectionOutcome, PathMtuEnd, PathMtuMeasurement } from './measurePathMtu.js';
import { PMTU_REPORT_SCHEMA, type DirectionReport, type EndReport, type PmtuReport } from '../model/pmtuReport.js';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK } from '../model/exitCodes.js';

function endReport(end: PathMtuEnd): EndReport {
  return {
    name: end.name, url: end.url, address: end.address,
    hostname: end.facts?.hostname ?? null, agentVersion: end.facts?.agentVersion ?? null,
    kernel: end.facts?.kernel ?? null, cpuCount: end.facts?.cpuCount ?? null, nic: end.nic,
  };
}

function directionReport(outcome: DirectionOutcome, sender: PathMtuEnd, receiver: PathMtuEnd): DirectionReport {
  const direction = `${sender.name} → ${receiver.name}`;
  if (!outcome.ok) return { direction, verdict: 'error', error: { code: recordedErrorCode(outcome.error.code), message: outcome.error.message } };
  // Before any verdict: a peer too slow to answer must never read as unreachable or a smaller MTU.
  const inconclusive = pmtuInconclusive(outcome.sweep);
  if (inconclusive) {
    return { direction, verdict: 'error', error: { code: 'ERR_PROBE_FAILED', message: inconclusiveMessage(direction, inconclusive) }, inconclusive };
  }
  const verdict = pmtuVerdict(outcome.sweep, {
    senderName: sender.name, receiverName: receiver.name, senderNic: sender.nic, receiverNic: receiver.nic,
  });
  const { probeLog, probeLogOmitted } = representativeProbeLog(outcome.sweep.probes, verdict.flows);
  return { ...verdict, direction, error: null, probeLog, probeLogOmitted, icmpHints: outcome.sweep.icmpHints };
}

/** 0 both ok, 1 a finding, 3 an agent or the target could not be reached or measured. */
export function pmtuExitCode(directions: readonly DirectionReport[]): number {
  if (directions.some((d) => d.verdict === 'error' || d.verdict === 'unreachable')) return EXIT_CANNOT_RUN;
  if (directions.some((d) => d.verdict !== 'ok')) return EXIT_FINDING;
  return EXIT_OK;
}

/** The versioned JSON object `pmtu --json` prints. Pure. */
export function pmtuReport(measurement: PathMtuMeasurement): PmtuReport {
  const forward = directionReport(measurement.forward, measurement.from, measurement.to);
  const reverse = measurement.reverse ? directionReport(measurement.reverse, measurement.to, measurement.from) : null;
  const measured = [forward, reverse].filter((d): d is DirectionReport => d !== null);
  const pathMtus = measured.map((d) => ('pathMtu' in d ? d.pathMtu : null));
  return {
    schema: PMTU_REPORT_SCHEMA,
    mode: measurement.mode,
    from: endReport(measurement.from),
    to: endReport(measurement.to),
    forward,
    reverse,
    asymmetric: pathMtus.length === 2 && pathMtus[0] !== null && pathMtus[1] !== null && pathMtus[0] !== pathMtus[1],
    exitCode: pmtuExitCode(measured),
  };
}
