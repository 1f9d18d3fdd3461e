import type { FlowSweep } from '../../proto/pmtuSweep.js';
import type { FlowClass, FlowCoverage } from '../model/pmtuReport.js';
import type { PmtuVerdict } from '../model/verdicts.js';
import { sharePercent } from './flowClassesText.js';
import { flowSplitWords } from './flowSplitWords.js';
import { flowRuleText } from './flowRule.js';
import { whereFlowsPart } from './whereFlowsPart.js';

/** The path MTU a flow found; null when it got no answer at all. */
export const flowPathMtu = (f: FlowSweep): number | null => (f.reachable ? f.largestOkBytes : null);

/**
 * The flow classes of a multi-flow sweep, smallest path MTU first (no answer before any size),
 * each with its first flow as the representative and, given `judge`, that flow's verdict. Every
 * flow's own result is kept in `sweeps`. Pure.
 */
export function flowCoverage(flows: readonly FlowSweep[] | undefined, judge?: (flow: number) => PmtuVerdict): FlowCoverage | null {
  if (!flows || flows.length === 0) return null;
  const byMtu = new Map<number | null, { flows: number; first: number }>();
  flows.forEach((f, index) => {
    const mtu = flowPathMtu(f);
    const seen = byMtu.get(mtu);
    if (seen) seen.flows += 1;
    else byMtu.set(mtu, { flows: 1, first: index });
  });
  const classes: FlowClass[] = [...byMtu.entries()]
    .map(([pathMtuBytes, c]): FlowClass => ({
      pathMtuBytes, flows: c.flows, share: c.flows / flows.length,
      ...(judge ? { verdict: judge(c.first) } : {}),
      representativeFlow: c.first,
    }))
    .sort((a, b) => (a.pathMtuBytes ?? -1) - (b.pathMtuBytes ?? -1));
  return {
    probed: flows.length, rule: flowRuleText(flows.length), multipath: classes.length > 1, classes,
    sweeps: flows.map((f) => ({ ...f, failEvidence: { ...f.failEvidence } })),
    split: whereFlowsPart(flows),
  };
}

/**
 * "1 of 2 flow classes (48 % of flows) silently drops above 1500; the other carries 9000", said
 * before the smallest class's own explanation; `told` when the failing path says so with ICMP.
 * Empty when every flow found the same.
 */
export function flowCoverageWords(coverage: FlowCoverage | null, failure: string, told: boolean): string {
  if (!coverage || !coverage.multipath) return '';
  const [worst, ...others] = coverage.classes as [FlowClass, ...FlowClass[]];
  const what = worst.pathMtuBytes === null ? 'gets no answer at all' : `${failure} above ${worst.pathMtuBytes}`;
  const rest = others.map((c) => `${c.pathMtuBytes ?? 'nothing'} (${sharePercent(c.share)})`).join(', ');
  const n = coverage.classes.length;
  const consequence = told
    ? 'that share of all connections must shrink their packets when the ICMP reaches them'
    : 'that share of all connections black-holes while the others work';
  const where = coverage.split ? `; ${flowSplitWords(coverage.split)}` : '';
  return `1 of ${n} flow classes (${sharePercent(worst.share)} of ${coverage.probed} flows) ${what}; the other${n > 2 ? 's carry' : ' carries'} ${rest}: the flows cross paths that differ (ECMP or LAG hashing), so ${consequence}${where}; `;
}
