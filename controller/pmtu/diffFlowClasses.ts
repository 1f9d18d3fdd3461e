import type { FlowClass, FlowCoverage } from '../model/pmtuReport.js';
import type { DiffChange, FlowClassesChange } from '../model/runDiff.js';
import { flowClassesText, sharePercent } from './flowClassesText.js';

/**
 * A class's share must move by this much for the move alone to count. Flows are fresh random
 * source ports each run, so a class's share is a sample: over 23 flows its standard error is
 * √(p(1−p)/23) ≤ 0.104, and the difference of two runs' shares ≤ 0.147. A move of 0.25 (6 of 23
 * flows) is 1.7 of those at p = 50 % and 2 at p = 25 %: hashing luck rarely does it, a path that
 * really takes more of the flows does. A class appearing or disappearing counts at any share.
 */
export const FLOW_SHARE_TOLERANCE = 0.25;

/** Float shares such as 2/4 − 1/4 land exactly on the tolerance: compare with a hair of slack. */
const EPSILON = 1e-9;

type Mtu = number | null;
/** No answer is below every size. */
const rank = (mtu: Mtu): number => mtu ?? -1;

/** The share of flows whose path MTU is below `size`. */
function shareBelow(classes: readonly FlowClass[], size: number): number {
  return classes.filter((c) => rank(c.pathMtuBytes) < size).reduce((sum, c) => sum + c.share, 0);
}

const slim = (classes: readonly FlowClass[]): FlowClassesChange['before'] =>
  classes.map((c) => ({ pathMtuBytes: c.pathMtuBytes, flows: c.flows, share: c.share }));

/**
 * How a direction's flow classes changed between two multi-flow sweeps, even when the safe path
 * MTU did not: null when either side is a one-flow sweep or nothing moved.
 * - significant: a class appeared or disappeared, or a share moved by FLOW_SHARE_TOLERANCE or more;
 *   a smaller move over the same class MTUs is shown as noise;
 * - regression: more flows are capped below some size than before, by the tolerance or through a
 *   class that is new (a new smaller path); a smaller class that disappears is an improvement. Pure.
 */
export function diffFlowClasses(
  base: FlowCoverage | null | undefined,
  next: FlowCoverage | null | undefined,
  common: Pick<DiffChange, 'pairId' | 'direction' | 'category'> & { before: number | null; after: number | null },
): DiffChange | null {
  if (!base || !next) return null;
  const [b, a] = [base.classes, next.classes];
  const sameCounts = base.probed === next.probed && b.length === a.length
    && b.every((c, i) => c.pathMtuBytes === a[i]!.pathMtuBytes && c.flows === a[i]!.flows);
  if (sameCounts) return null;

  const mtusBefore = new Set(b.map((c) => c.pathMtuBytes));
  const mtusAfter = new Set(a.map((c) => c.pathMtuBytes));
  const appeared = a.filter((c) => !mtusBefore.has(c.pathMtuBytes)).map((c) => c.pathMtuBytes);
  const disappeared = b.filter((c) => !mtusAfter.has(c.pathMtuBytes)).map((c) => c.pathMtuBytes);
  const shareOf = (classes: readonly FlowClass[], mtu: Mtu) => classes.find((c) => c.pathMtuBytes === mtu)?.share ?? 0;
  const largestShareChange = Math.max(...[...new Set([...mtusBefore, ...mtusAfter])].map((mtu) => Math.abs(shareOf(a, mtu) - shareOf(b, mtu))));

  // Below each size found on either side: more flows capped under it is worse.
  const sizes = [...new Set([...mtusBefore, ...mtusAfter])].filter((m): m is number => m !== null);
  const worse = sizes.map((size) => ({ size, growth: shareBelow(a, size) - shareBelow(b, size) }))
    .find(({ size, growth }) => growth >= FLOW_SHARE_TOLERANCE - EPSILON
      || (growth > EPSILON && appeared.some((mtu) => rank(mtu) < size)));
  const significant = appeared.length > 0 || disappeared.length > 0 || largestShareChange >= FLOW_SHARE_TOLERANCE - EPSILON;
  const regression = significant && worse !== undefined;

  const moved = `flow classes ${flowClassesText(b)} → ${flowClassesText(a)}`;
  const mtuWords = (mtus: readonly Mtu[]) => mtus.map((m) => m ?? 'no answer').join(', ');
  const why = regression
    ? `: more flows are capped (${sharePercent(shareBelow(b, worse!.size))} → ${sharePercent(shareBelow(a, worse!.size))} of flows below ${worse!.size})${appeared.length ? `, a path not seen before carries ${mtuWords(appeared)}` : ''}`
    : !significant
      ? `; within noise: the same class MTUs, shares moved by less than ${sharePercent(FLOW_SHARE_TOLERANCE)} (fresh source ports hash anew each run)`
      : appeared.length || disappeared.length
        ? `: ${[appeared.length ? `new class ${mtuWords(appeared)}` : '', disappeared.length ? `gone: ${mtuWords(disappeared)}` : ''].filter(Boolean).join('; ')}`
        : ': fewer flows are capped';
  return {
    ...common, kind: 'path-mtu', subject: 'flow classes', significant, regression,
    explanation: moved + why,
    flowClasses: { before: slim(b), after: slim(a), appeared, disappeared, largestShareChange },
  };
}
