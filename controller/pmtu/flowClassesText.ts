import type { DirectionReport, FlowClass } from '../model/pmtuReport.js';

/** 0.52 → "52 %". */
export const sharePercent = (share: number): string => `${Math.round(share * 100)} %`;

const mtuText = (c: FlowClass): string => (c.pathMtuBytes === null ? 'none' : String(c.pathMtuBytes));

/** Every class with its share, smallest first: "1500 on 25 %, 9000 on 75 %" (what a diff compares). Pure. */
export function flowClassesText(classes: readonly FlowClass[]): string {
  return classes.map((c) => `${mtuText(c)} on ${sharePercent(c.share)}`).join(', ');
}

/**
 * A direction's path MTU as a matrix or table cell shows it: the safe size alone, or for flows
 * that split, the safe size first and then the other classes with their shares,
 * "1500 | 9000 on 52 %"; "—" when nothing was proved. Pure.
 */
export function flowSplitText(d: DirectionReport): string {
  if (d.verdict === 'error') return '—';
  const classes = d.flows?.multipath ? d.flows.classes : [];
  const safe = d.pathMtu === null ? '—' : String(d.pathMtu);
  if (classes.length < 2) return safe;
  return `${safe} | ${classes.slice(1).map((c) => `${mtuText(c)} on ${sharePercent(c.share)}`).join(', ')}`;
}
