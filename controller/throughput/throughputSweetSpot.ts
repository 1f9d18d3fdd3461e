import { formatBitsPerSecond, formatPercent } from '../render/throughputFormat.js';
import type { SweetSpotBasis, SweetSpotDegradation, SweetSpotExclusionReason, ThroughputCell, ThroughputRowKind, ThroughputSweetSpot } from '../model/throughputMatrix.js';

export interface SweetSpotOptions {
  /** A column within this fraction of the best median counts as the best (default 0.05). */
  withinFraction?: number;
  /** A column beyond the best that loses more than this fraction of the best median degrades (default 0.05). */
  degradeFraction?: number;
  /** Retransmits this many times the sweet spot's count degrade (default 2)... */
  retransmitMultiplier?: number;
  /** ...when they are also at least this share of the segments sent (default 0.001 = 0.1 %)... */
  minRetransmitRate?: number;
  /** ...or, when the rate cannot be computed, at least this many per run (default 1000). */
  minRetransmits?: number;
}

const DEFAULTS: Required<SweetSpotOptions> = {
  withinFraction: 0.05,
  degradeFraction: 0.05,
  retransmitMultiplier: 2,
  minRetransmitRate: 0.001,
  minRetransmits: 1000,
};





function multipliesRetransmits(cell: ThroughputCell, sweet: ThroughputCell, o: Required<SweetSpotOptions>): boolean {
  if (cell.medianRetransmits === null || sweet.medianRetransmits === null) return false;
  if (cell.medianRetransmits < o.retransmitMultiplier * sweet.medianRetransmits) return false;
  if (cell.medianRetransmits <= sweet.medianRetransmits) return false;
  return cell.medianRetransmitRate !== null
    ? cell.medianRetransmitRate >= o.minRetransmitRate
    : cell.medianRetransmits >= o.minRetransmits;
}

const EXCLUSION_TEXT: Record<SweetSpotExclusionReason, string> = {
  'tool-bound': 'tool-bound', 'no-measurement': 'no measurement', skipped: 'skipped', 'not-run': 'not run',
};

function exclusionReason(c: ThroughputCell): SweetSpotExclusionReason {
  if (c.medianBitsPerSecond !== null) return 'tool-bound';
  if (c.status === 'skipped' || c.status === 'not-run') return c.status;
  return 'no-measurement';
}

const p = (streams: number): string => `P${streams}`;

/**
 * The concurrency sweet spot of one row: the fewest parallel streams that get within 5 % of the
 * best median. Tool-bound cells and cells without a measurement are left out of the choice (and
 * listed); when only tool-bound cells measured anything, they are used and the basis says so.
 * Pure.
 */
export function throughputSweetSpot(row: ThroughputRowKind, cells: readonly ThroughputCell[], options: SweetSpotOptions = {}): ThroughputSweetSpot {
  const o = { ...DEFAULTS, ...options };
  const columns = [...cells].sort((a, b) => a.streams - b.streams);
  // A cell where some streams stalled measured only the paths that work: no basis for a choice.
  const partialStalls = columns.filter((c) => c.partialStall).map((c) => c.streams);
  const measured = columns.filter((c) => c.medianBitsPerSecond !== null && !c.partialStall);
  const clean = measured.filter((c) => !c.toolBound);
  const basis: SweetSpotBasis = clean.length > 0 ? 'measured' : measured.length > 0 ? 'tool-bound-only' : 'none';
  const candidates = basis === 'measured' ? clean : measured;
  const excluded = columns
    .filter((c) => !candidates.includes(c) && !c.partialStall)
    .map((c) => ({ streams: c.streams, reason: exclusionReason(c) }));
  const leftOut = [
    ...excluded.map((e) => `${p(e.streams)} (${EXCLUSION_TEXT[e.reason]})`),
    ...partialStalls.map((s) => `${p(s)} (some streams stalled)`),
  ];
  const excludedText = leftOut.length ? `; left out: ${leftOut.join(', ')}` : '';

  if (basis === 'none') {
    return {
      row, basis, streams: null, bitsPerSecond: null, bestStreams: null, bestBitsPerSecond: null,
      degradesBeyond: null, degradation: null, intermittent: [], excluded, partialStalls,
      explanation: columns.every((c) => c.status === 'not-run' || c.status === 'skipped')
        ? `not measured (${columns.length ? columns.map((c) => `${p(c.streams)} ${c.status === 'not-run' ? 'not run' : c.status}`).join(', ') : 'no cells'}), so there is no sweet spot`
        : `no stream count produced a measurement, so there is no sweet spot${excludedText}`,
    };
  }

  let best = candidates[0]!;
  for (const c of candidates) if (c.medianBitsPerSecond! > best.medianBitsPerSecond!) best = c;
  const bestBps = best.medianBitsPerSecond!;
  const sweet = candidates.find((c) => c.medianBitsPerSecond! >= bestBps * (1 - o.withinFraction))!;
  const sweetIndex = candidates.indexOf(sweet);

  let degradation: SweetSpotDegradation | null = null;
  let degradesBeyond: number | null = null;
  for (let i = sweetIndex + 1; i < candidates.length; i++) {
    const c = candidates[i]!;
    const losesThroughput = c.streams > best.streams && c.medianBitsPerSecond! < bestBps * (1 - o.degradeFraction);
    const moreRetransmits = multipliesRetransmits(c, sweet, o);
    if (losesThroughput || moreRetransmits) {
      degradation = {
        streams: c.streams, reason: losesThroughput ? 'throughput' : 'retransmits',
        bitsPerSecond: c.medianBitsPerSecond!, retransmits: c.medianRetransmits,
      };
      degradesBeyond = candidates[i - 1]!.streams;
      break;
    }
  }

  const intermittent = candidates.slice(0, sweetIndex).flatMap((c) => {
    const okRuns = c.runs.filter((r) => r.summary.ok && r.summary.bitsPerSecondReceived !== null);
    const reached = okRuns.filter((r) => r.summary.bitsPerSecondReceived! >= bestBps * (1 - o.withinFraction)).length;
    return reached > 0 ? [{ streams: c.streams, reached, of: okRuns.length }] : [];
  });

  const parts: string[] = [];
  const sweetBps = sweet.medianBitsPerSecond!;
  parts.push(sweet === best
    ? `sweet spot ${p(sweet.streams)}: ${formatBitsPerSecond(sweetBps)}, the best median`
    : `sweet spot ${p(sweet.streams)}: ${formatBitsPerSecond(sweetBps)}, within ${formatPercent(o.withinFraction)} of the best (${formatBitsPerSecond(bestBps)} at ${p(best.streams)})`);
  if (candidates.length === 1) parts.push('the only stream count measured');
  else if (sweetIndex === 0) parts.push('one stream count already fills the path: more streams add no throughput');
  for (const m of intermittent) {
    parts.push(`${p(m.streams)} reached that rate in ${m.reached} of ${m.of} repeats but not in its median: flows can share one path (e.g. ECMP hashing), so fewer streams are a gamble`);
  }
  if (degradation) {
    parts.push(degradation.reason === 'throughput'
      ? `beyond ${p(degradesBeyond!)} throughput drops: ${formatBitsPerSecond(degradation.bitsPerSecond)} at ${p(degradation.streams)}`
      : `beyond ${p(degradesBeyond!)} more streams multiply retransmits (${sweet.medianRetransmits} at ${p(sweet.streams)}, ${degradation.retransmits} at ${p(degradation.streams)}) without a gain: queueing and loss at the bottleneck`);
  }
  if (basis === 'tool-bound-only') {
    parts.push(`every measured cell was tool-bound, so this describes the hosts' CPU, not the network: use more iperf3 processes or faster hosts`);
  }

  return {
    row, basis, streams: sweet.streams, bitsPerSecond: sweetBps, bestStreams: best.streams, bestBitsPerSecond: bestBps,
    degradesBeyond, degradation, intermittent, excluded, partialStalls,
    explanation: parts.join('; ') + excludedText,
  };
}
