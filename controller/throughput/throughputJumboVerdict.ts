import { frameBytes } from '../model/frameBytes.js';
import { formatBitsPerSecond, formatPercent } from '../render/throughputFormat.js';
import { goodputFraction } from './throughputGoodput.js';
import type { IpFamily, JumboComparisonSide, ThroughputCell, ThroughputJumboVerdict, ThroughputRow } from '../model/throughputMatrix.js';
import type { JumboVerdictKind, PmtuVerdict } from '../model/verdicts.js';


/** A jumbo gain must beat this and the noise of both cells (default 2 %). */
export const JUMBO_MIN_DIFFERENCE = 0.02;

export interface JumboVerdictInput {
  /** For explanations, e.g. 'h1 → h2' or 'forward'. */
  route: string;
  family: IpFamily;
  baseRow: ThroughputRow;
  baseCells: readonly ThroughputCell[];
  /** Null when the NICs are at 1500 and there is no jumbo row. */
  jumboRow: ThroughputRow | null;
  jumboCells: readonly ThroughputCell[];
  /** The path MTU verdict of the same direction, when one was measured. */
  pathMtu: { verdict: PmtuVerdict; pathMtu: number | null } | null;
}



function bestCell(cells: readonly ThroughputCell[]): ThroughputCell | null {
  const measured = cells.filter((c) => c.medianBitsPerSecond !== null);
  const clean = measured.filter((c) => !c.toolBound);
  const pool = clean.length > 0 ? clean : measured;
  let best: ThroughputCell | null = null;
  for (const c of pool) if (best === null || c.medianBitsPerSecond! > best.medianBitsPerSecond!) best = c;
  return best;
}

function side(cell: ThroughputCell): JumboComparisonSide {
  return { streams: cell.streams, bitsPerSecond: cell.medianBitsPerSecond!, relativeSpread: cell.relativeSpread, toolBound: cell.toolBound };
}

function agreement(kind: JumboVerdictKind, pathMtu: JumboVerdictInput['pathMtu'], jumboMtu: number): boolean | null {
  if (pathMtu === null || pathMtu.verdict === 'unreachable') return null;
  if (kind === 'jumbo-stalled') return pathMtu.verdict === 'silent-drop' || pathMtu.verdict === 'mtu-mismatch';
  return !(pathMtu.verdict === 'silent-drop' && (pathMtu.pathMtu === null || pathMtu.pathMtu < jumboMtu));
}

function describePath(pathMtu: NonNullable<JumboVerdictInput['pathMtu']>): string {
  return `${pathMtu.verdict}${pathMtu.pathMtu === null ? '' : `, path MTU ${pathMtu.pathMtu}`}`;
}

const empty = {
  base: null, jumbo: null, gain: null, gainPercent: null, noise: null, threshold: null, headerOnlyGain: null,
  toolBound: false, stalledStreams: [] as number[], stall: null, agreesWithPathMtu: null,
};

/** "P4 (1 of 4 streams)" for a partial stall, "P1" when every stream of the cell stalled. */
function stalledCellText(c: ThroughputCell): string {
  return c.partialStall && c.stalledStreams ? `P${c.streams} (${c.stalledStreams.stalled} of ${c.stalledStreams.of} streams)` : `P${c.streams}`;
}

/**
 * Jumbo frames or not, for one direction: the best median of the jumbo row against the best median
 * of the 1500 row, over all stream counts, tool-bound cells left out where possible. Pure.
 */
export function throughputJumboVerdict(input: JumboVerdictInput): ThroughputJumboVerdict {
  const { route, jumboRow, pathMtu } = input;
  const pathMtuVerdict = pathMtu?.verdict ?? null;
  if (jumboRow === null) {
    const reason = `${route}: no jumbo row: the NICs are at 1500, so there is nothing to compare`;
    return { ...empty, verdict: null, reason, jumboMtuBytes: null, pathMtuVerdict, explanation: reason };
  }
  const jumboMtu = jumboRow.mtuBytes;
  const base = bestCell(input.baseCells);
  const jumbo = bestCell(input.jumboCells);
  const stalledCells = input.jumboCells.filter((c) => c.stalled || c.skipped === 'stalled-row');
  const stalledStreams = stalledCells.map((c) => c.streams).sort((a, b) => a - b);
  const jumboAllFailed = jumbo === null && input.jumboCells.some((c) => c.status === 'failed');
  const headerOnlyGain = goodputFraction(jumboMtu, input.family) / goodputFraction(input.baseRow.mtuBytes, input.family) - 1;
  const common = { jumboMtuBytes: jumboMtu, pathMtuVerdict, headerOnlyGain, stalledStreams };

  if (base === null) {
    const reason = `${route}: the ${input.baseRow.label} row produced no measurement, so ${jumboRow.label} cannot be judged against it`
      + (stalledStreams.length || jumboAllFailed ? '; both rows failed, which points at the pair or the tool rather than the frame size' : '');
    return { ...empty, ...common, verdict: null, reason, jumbo: jumbo ? side(jumbo) : null, explanation: reason };
  }
  const baseText = `${input.baseRow.label} (MSS ${input.baseRow.mssBytes ?? 'default'}) carried ${formatBitsPerSecond(base.medianBitsPerSecond!)} at P${base.streams}`;

  if (stalledStreams.length > 0 || jumboAllFailed) {
    const agrees = agreement('jumbo-stalled', pathMtu, jumboMtu);
    const attempted = input.jumboCells.filter((c) => c.status !== 'not-run' && c.status !== 'error');
    const stallRun = stalledCells.flatMap((c) => c.runs.filter((r) => r.summary.failureClass === 'stalled').map((r) => ({ c, r })))[0];
    const evidence = stallRun
      ? `; P${stallRun.c.streams}: ${stallRun.r.summary.bytesSent ?? '?'} bytes sent, ${stallRun.r.summary.bytesReceived ?? '?'} received, ${stallRun.r.summary.retransmits ?? '?'} retransmits`
      : '';
    const stalledRun = input.jumboCells.filter((c) => c.stalled);
    const skippedRun = input.jumboCells.filter((c) => !c.stalled && c.skipped === 'stalled-row');
    const ran = attempted.length - skippedRun.length;
    const what = stalledRun.length === 0 && skippedRun.length > 0
      ? `${jumboRow.label} was skipped (${skippedRun.map((c) => `P${c.streams}`).join(', ')}) because the row had already stalled,`
      : stalledStreams.length > 0
      ? `${jumboRow.label} stalled at ${stalledRun.map(stalledCellText).join(', ') || 'no cell run'} (${stalledRun.length} of ${ran} cell${ran === 1 ? '' : 's'} run${evidence})`
        + (skippedRun.length ? `, ${skippedRun.map((c) => `P${c.streams}`).join(', ')} skipped once the row stalled,` : '')
      : `${jumboRow.label} failed in every cell (${[...new Set(input.jumboCells.flatMap((c) => c.failures.map((f) => f.class)))].join(', ')})`;
    const stall = jumbo !== null || stalledRun.some((c) => c.partialStall) ? 'partial' as const : 'full' as const;
    const partial = jumbo === null && stall === 'partial'
      ? '; the other streams of those cells flowed, so only some flows are dropped: suspect one of several paths (ECMP, LAG member) capping frames'
      : jumbo !== null ? `; other jumbo cells worked (best ${formatBitsPerSecond(jumbo.medianBitsPerSecond!)} at P${jumbo.streams}), so only some flows are dropped: suspect one of several paths (ECMP, LAG member) capping frames` : '';
    const frame = frameBytes(jumboMtu);
    let story: string;
    if (pathMtu === null) {
      story = `no path MTU sweep to compare: run one for ${route}; a silent cap between ${input.baseRow.mtuBytes} and ${jumboMtu} bytes is the usual cause`;
    } else if (agrees === true) {
      const cap = pathMtu.pathMtu;
      story = `the path MTU sweep agrees (${describePath(pathMtu)}): packets of ${jumboMtu} bytes do not reach the receiver and the sender is not told, so TCP sessions with full-size segments hang`
        + (cap !== null && cap < jumboMtu
          ? `. Raise every switch port on the path to at least ${frame}-byte frames (${frameBytes(jumboMtu, 1)} with an 802.1Q tag), or set the NIC MTU to ${cap} on both hosts`
          : `. Make the NIC MTUs equal, or raise every switch port to at least ${frame}-byte frames`);
    } else if (agrees === false) {
      story = `the path MTU sweep does not agree (${describePath(pathMtu)})`
        + (pathMtu.verdict === 'frag-needed'
          ? ': a router reports its MTU, which should let TCP adapt; check that ICMP "packet too big" reaches the sending host\'s TCP stack (host firewall, rp_filter, asymmetric return path)'
          : ': UDP probes of that size cross, but TCP stalls; look for a middlebox dropping large TCP segments (firewall, offload or tunnel bug) or for TCP taking another path than the probes (ECMP hashing on ports)');
    } else {
      story = `the path MTU sweep proved nothing (${describePath(pathMtu)}), so it can neither confirm nor contradict the stall`;
    }
    return {
      ...empty, ...common, verdict: 'jumbo-stalled', stall, reason: null, base: side(base), jumbo: jumbo ? side(jumbo) : null,
      agreesWithPathMtu: agrees,
      explanation: `${route}: ${what} while ${baseText}${partial}; ${story}`,
    };
  }

  if (jumbo === null) {
    const reason = `${route}: the ${jumboRow.label} row produced no measurement (agent errors or not run), so there is no verdict`;
    return { ...empty, ...common, verdict: null, reason, base: side(base), explanation: reason };
  }

  const b = base.medianBitsPerSecond!;
  const j = jumbo.medianBitsPerSecond!;
  const gain = (j - b) / b;
  const noise = Math.max(base.relativeSpread ?? 0, jumbo.relativeSpread ?? 0);
  const threshold = Math.max(JUMBO_MIN_DIFFERENCE, noise);
  const verdict: JumboVerdictKind = gain > threshold ? 'jumbo-gain' : gain < -threshold ? 'jumbo-slower' : 'jumbo-no-gain';
  const toolBound = base.toolBound || jumbo.toolBound;
  const numbers = `${jumboRow.label} carried ${formatBitsPerSecond(j)} at P${jumbo.streams}, ${baseText}: ${gain >= 0 ? '+' : ''}${formatPercent(gain)}`
    + ` against a threshold of ${formatPercent(threshold)} (2 % or the repeats' spread: ${formatPercent(base.relativeSpread ?? 0)} / ${formatPercent(jumbo.relativeSpread ?? 0)})`;
  let meaning: string;
  if (verdict === 'jumbo-gain') {
    meaning = gain <= headerOnlyGain * 1.1
      ? `within what header overhead alone allows (${formatPercent(headerOnlyGain)}): the link is the limit and jumbo frames buy only the headers`
      : `more than header overhead alone allows (${formatPercent(headerOnlyGain)}): at 1500 the hosts spend CPU per packet; jumbo frames are worth enabling end to end`;
  } else if (verdict === 'jumbo-slower') {
    meaning = 'jumbo frames cost throughput here: look for drops of large frames (buffer pressure, a slow path in a middlebox) or NIC offloads that behave differently at this MTU';
  } else {
    meaning = `no difference beyond the noise: at these rates jumbo frames change nothing measurable (header overhead alone would allow ${formatPercent(headerOnlyGain)})`;
  }
  const toolText = toolBound ? '; tool-bound cells were compared, so this describes host CPU rather than the network' : '';
  const agrees = agreement(verdict, pathMtu, jumboMtu);
  const pathText = agrees === false && pathMtu
    ? `; the path MTU sweep disagrees (${describePath(pathMtu)}): TCP crossed at ${jumboMtu} although UDP probes did not; re-run the sweep`
    : '';
  return {
    ...common, verdict, stall: null, reason: null, base: side(base), jumbo: side(jumbo), gain,
    gainPercent: Math.round(gain * 1000) / 10, noise, threshold, toolBound,
    agreesWithPathMtu: agrees,
    explanation: `${route}: ${numbers}; ${meaning}${toolText}${pathText}`,
  };
}
