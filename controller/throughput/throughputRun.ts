import type { IperfProcessResult, IperfRunResult } from '../../proto/throughput.js';
import { partiallyStalled, streamStalls } from './streamStalls.js';
import { coefficientOfVariation, maxOf, numbers } from '../model/sampleStats.js';
import type { ThroughputRunFailure, ThroughputRunSummary } from '../model/throughputMatrix.js';

/** iperf3 3.12 is single-threaded: a process at ≥ 85 % of a core measured itself (docs/iperf3.md, "What the numbers mean"). */
export const TOOL_BOUND_PROCESS_CPU_PERCENT = 85;
/** Any core ≥ 90 %: softirq work on other cores is missed by the per-process figures (docs/iperf3.md, "What the numbers mean"). */
export const TOOL_BOUND_CORE_PERCENT = 90;



function sumKnown(values: ReadonlyArray<number | null>): number | null {
  const known = numbers(values);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/**
 * The failure of one process. The agent classifies; as a second line of defence a process with no
 * failure whose bytes left but never arrived is the §6 stall signature, and one with no received
 * rate is not a measurement.
 */
function processFailure(p: IperfProcessResult): ThroughputRunFailure | null {
  if (p.failure) return { class: p.failure.class, message: p.failure.message, port: p.port };
  if ((p.bytesSent ?? 0) > 0 && p.bytesReceived === 0) {
    return { class: 'stalled', message: `${p.bytesSent} bytes sent, 0 received`, port: p.port };
  }
  if (p.bitsPerSecondReceived === null) {
    return { class: 'other', message: 'no received rate reported', port: p.port };
  }
  return null;
}

/** Sum series by index, up to the shortest one, so every sum covers every process. */
export function sumIntervalsByIndex(series: ReadonlyArray<readonly number[]>): number[] {
  if (series.length === 0) return [];
  const length = Math.min(...series.map((s) => s.length));
  const sums: number[] = [];
  for (let i = 0; i < length; i++) sums.push(series.reduce((sum, s) => sum + s[i]!, 0));
  return sums;
}

/** Summarise one `IperfRunResult`: one repeat of one cell. Pure. */
export function summarizeRun(result: IperfRunResult): ThroughputRunSummary {
  const processes = result.processes;
  const failures = processes.map(processFailure).filter((f): f is ThroughputRunFailure => f !== null);
  if (processes.length === 0) failures.push({ class: 'other', message: 'the run had no iperf3 process', port: null });
  const stalls = streamStalls(result);
  // Streams that stalled inside a process whose others flowed: its sums look fine, yet some
  // connections black-holed, so the run did not measure what P streams get.
  if (partiallyStalled(stalls) && !failures.some((f) => f.class === 'stalled')) {
    failures.push({ class: 'stalled', message: `${stalls.stalled} of ${stalls.streams} streams stalled: bytes sent, none received on them, while the others flowed`, port: null });
  }
  const failure = failures.find((f) => f.class === 'stalled') ?? failures[0] ?? null;

  const senderCpuPercent = maxOf(numbers(processes.map((p) => p.senderCpuPercent)));
  const receiverCpuPercent = maxOf(numbers(processes.map((p) => p.receiverCpuPercent)));
  const reasons: string[] = [];
  if (senderCpuPercent !== null && senderCpuPercent >= TOOL_BOUND_PROCESS_CPU_PERCENT) {
    reasons.push(`iperf3 client at ${senderCpuPercent.toFixed(0)} % of a core`);
  }
  if (receiverCpuPercent !== null && receiverCpuPercent >= TOOL_BOUND_PROCESS_CPU_PERCENT) {
    reasons.push(`iperf3 server at ${receiverCpuPercent.toFixed(0)} % of a core`);
  }
  if (result.maxCorePercent !== null && result.maxCorePercent >= TOOL_BOUND_CORE_PERCENT) {
    reasons.push(`busiest core at ${result.maxCorePercent.toFixed(0)} %`);
  }
  const intervalBitsPerSecond = sumIntervalsByIndex(processes.map((p) => p.intervalBitsPerSecond));

  return {
    ok: failures.length === 0,
    failure,
    failureClass: failure?.class ?? null,
    failures,
    processes: processes.length,
    streams: processes.reduce((sum, p) => sum + p.streams, 0),
    stalledStreams: stalls.stalled,
    bitsPerSecondReceived: sumKnown(processes.map((p) => p.bitsPerSecondReceived)),
    bytesSent: sumKnown(processes.map((p) => p.bytesSent)),
    bytesReceived: sumKnown(processes.map((p) => p.bytesReceived)),
    retransmits: sumKnown(processes.map((p) => p.retransmits)),
    senderCpuPercent,
    receiverCpuPercent,
    maxCorePercent: result.maxCorePercent,
    toolBound: reasons.length > 0,
    toolBoundReason: reasons.length > 0 ? reasons.join(', ') : null,
    intervalBitsPerSecond,
    intervalCov: coefficientOfVariation(intervalBitsPerSecond),
    mssBytesObserved: result.mssBytesObserved,
    elapsedMs: result.elapsedMs,
  };
}
