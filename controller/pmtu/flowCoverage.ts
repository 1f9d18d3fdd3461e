import type { FlowSweep } from '../../proto/pmtuSweep.js';
import type { FlowClass, FlowCoverage } from '../model/pmtuReport.js';
import { flowRuleText } from './flowRule.js';

/** The flow classes of a multi-flow sweep, smallest path MTU first (no answer before any size). Pure. */
export function flowCoverage(flows: readonly FlowSweep[] | undefined): FlowCoverage | null {
  if (!flows || flows.length === 0) return null;
  const counts = new Map<number | null, number>();
  for (const f of flows) {
    const mtu = f.reachable ? f.largestOkBytes : null;
    counts.set(mtu, (counts.get(mtu) ?? 0) + 1);
  }
  const classes: FlowClass[] = [...counts.entries()]
    .map(([pathMtuBytes, n]) => ({ pathMtuBytes, flows: n, share: n / flows.length }))
    .sort((a, b) => (a.pathMtuBytes ?? -1) - (b.pathMtuBytes ?? -1));
  return { probed: flows.length, rule: flowRuleText(flows.length), multipath: classes.length > 1, classes };
}

const percent = (share: number): string => `${Math.round(share * 100)} %`;

/**
 * "1 of 2 flow classes (48 % of flows) silently drops above 1500; the other carries 9000", said
 * before the smallest class's own explanation; `told` when the failing path says so with ICMP.
 * Empty when every flow found the same.
 */
export function flowCoverageWords(coverage: FlowCoverage | null, failure: string, told: boolean): string {
  if (!coverage || !coverage.multipath) return '';
  const [worst, ...others] = coverage.classes as [FlowClass, ...FlowClass[]];
  const what = worst.pathMtuBytes === null ? 'gets no answer at all' : `${failure} above ${worst.pathMtuBytes}`;
  const rest = others.map((c) => `${c.pathMtuBytes ?? 'nothing'} (${percent(c.share)})`).join(', ');
  const n = coverage.classes.length;
  const consequence = told
    ? 'that share of all connections must shrink their packets when the ICMP reaches them'
    : 'that share of all connections black-holes while the others work';
  return `1 of ${n} flow classes (${percent(worst.share)} of ${coverage.probed} flows) ${what}; the other${n > 2 ? 's carry' : ' carries'} ${rest}: the flows cross paths that differ (ECMP or LAG hashing), so ${consequence}; `;
}
