import type { IperfFailureClass } from '../../proto/throughput.js';
import { maxGoodputBitsPerSecond, segmentPayloadBytes } from './throughputGoodput.js';
import { summarizeRun } from './throughputRun.js';
import { maxOf, median, minOf, numbers, relativeSpread } from '../model/sampleStats.js';
import type { IpFamily, ThroughputCell, ThroughputCellRun, ThroughputCellStatus, ThroughputRow, ThroughputRunError, ThroughputRunOutcome, ThroughputRunSkipped, ThroughputRunSummary, ThroughputSkipReason } from '../model/throughputMatrix.js';



export interface ThroughputCellRepeat {
  repeat: number;
  result: ThroughputRunOutcome;
}

export interface ThroughputCellContext {
  row: ThroughputRow;
  streams: number;
  family: IpFamily;
  /** The slower end's link speed; null when unknown (virtual NICs often report none). */
  linkSpeedMbps: number | null;
}




export function isRunError(result: ThroughputRunOutcome): result is ThroughputRunError {
  return 'error' in result && typeof (result as ThroughputRunError).error === 'object' && !('processes' in result);
}
export function isRunSkipped(result: ThroughputRunOutcome): result is ThroughputRunSkipped {
  return 'skipped' in result && !('processes' in result);
}

function retransmitRate(run: ThroughputRunSummary, row: ThroughputRow, family: IpFamily): number | null {
  if (run.retransmits === null || run.bytesSent === null || run.bytesSent <= 0) return null;
  const segments = run.bytesSent / segmentPayloadBytes(row.mtuBytes, family);
  return run.retransmits / segments;
}

/** Summarise the repeats of one cell (one direction, row and stream count). Pure. */
export function summarizeCell(repeats: readonly ThroughputCellRepeat[], context: ThroughputCellContext): ThroughputCell {
  const ordered = [...repeats].sort((a, b) => a.repeat - b.repeat);
  const runs: ThroughputCellRun[] = [];
  const errors: ThroughputCell['errors'] = [];
  let skipped: ThroughputSkipReason | null = null;
  let skippedRepeats = 0;
  for (const r of ordered) {
    if (isRunSkipped(r.result)) {
      skipped = r.result.skipped;
      skippedRepeats++;
    } else if (isRunError(r.result)) {
      errors.push({ repeat: r.repeat, code: r.result.error.code, message: r.result.error.message });
    } else {
      runs.push({ repeat: r.repeat, summary: summarizeRun(r.result) });
    }
  }
  const ok = runs.filter((r) => r.summary.ok).map((r) => r.summary);
  const failed = runs.filter((r) => !r.summary.ok);
  const failureClasses: Partial<Record<IperfFailureClass, number>> = {};
  const failures: ThroughputCell['failures'] = [];
  for (const r of failed) {
    const f = r.summary.failure;
    const cls = f?.class ?? 'other';
    failureClasses[cls] = (failureClasses[cls] ?? 0) + 1;
    failures.push({ repeat: r.repeat, class: cls, message: f?.message ?? '' });
  }

  const rates = numbers(ok.map((s) => s.bitsPerSecondReceived));
  const med = median(rates);
  const link = context.linkSpeedMbps !== null && context.linkSpeedMbps > 0 ? context.linkSpeedMbps : null;
  const maxGoodput = link === null ? null : maxGoodputBitsPerSecond(link, context.row.mtuBytes, context.family);
  const toolBoundRun = runs.find((r) => r.summary.toolBound);
  const mostStalled = runs.filter((r) => r.summary.stalledStreams > 0)
    .reduce<ThroughputCellRun | undefined>((worst, r) => (worst && worst.summary.stalledStreams >= r.summary.stalledStreams ? worst : r), undefined);

  const status: ThroughputCellStatus = ok.length > 0 ? 'measured'
    : runs.length > 0 ? 'failed'
      : errors.length > 0 ? 'error'
        : skippedRepeats > 0 ? 'skipped'
          : 'not-run';

  return {
    row: context.row.row,
    streams: context.streams,
    status,
    repeats: ordered.length,
    okRepeats: ok.length,
    failedRepeats: failed.length,
    errorRepeats: errors.length,
    skippedRepeats,
    failureClasses,
    failures,
    errors,
    skipped,
    medianBitsPerSecond: med,
    minBitsPerSecond: minOf(rates),
    maxBitsPerSecond: maxOf(rates),
    relativeSpread: relativeSpread(rates),
    medianRetransmits: median(numbers(ok.map((s) => s.retransmits))),
    medianRetransmitRate: median(numbers(ok.map((s) => retransmitRate(s, context.row, context.family)))),
    medianSenderCpuPercent: median(numbers(ok.map((s) => s.senderCpuPercent))),
    medianReceiverCpuPercent: median(numbers(ok.map((s) => s.receiverCpuPercent))),
    medianIntervalCov: median(numbers(ok.map((s) => s.intervalCov))),
    toolBound: toolBoundRun !== undefined,
    toolBoundReason: toolBoundRun ? `repeat ${toolBoundRun.repeat}: ${toolBoundRun.summary.toolBoundReason}` : null,
    stalled: runs.some((r) => r.summary.failureClass === 'stalled'),
    stalledStreams: mostStalled === undefined ? null : { stalled: mostStalled.summary.stalledStreams, of: mostStalled.summary.streams },
    partialStall: runs.some((r) => r.summary.stalledStreams > 0 && r.summary.stalledStreams < r.summary.streams),
    mssBytesObserved: [...new Set(numbers(runs.map((r) => r.summary.mssBytesObserved)))].sort((a, b) => a - b),
    linkEfficiency: med === null || link === null ? null : med / (link * 1e6),
    maxGoodputBitsPerSecond: maxGoodput,
    goodputEfficiency: med === null || maxGoodput === null ? null : med / maxGoodput,
    runs,
  };
}
