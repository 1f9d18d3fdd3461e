import type { DirectionReport, EndReport, PmtuReport } from '../model/pmtuReport.js';
import { flowSplitText, sharePercent } from './flowClassesText.js';

function endLine(end: EndReport): string {
  const nic = end.nic ? `${end.nic.name}, NIC MTU ${end.nic.mtuBytes}` : 'no agent';
  return `${end.name === end.address ? end.address : `${end.name} ${end.address}`} (${nic})`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function row(d: DirectionReport): string[] {
  if (d.verdict === 'error') return [d.direction, '-', '-', 'error', d.error.message];
  const label = d.roundTrip ? `${d.direction} (round trip)` : d.direction;
  return [
    label,
    d.pathMtu === null && !d.flows?.multipath ? '-' : flowSplitText(d),
    d.pathFrameBytes === null ? '-' : String(d.pathFrameBytes),
    d.verdict,
    `${d.probes} probes, ${Math.round(d.elapsedMs)} ms`,
  ];
}

/** The short human table `pmtu` prints without --json. Pure. */
export function pmtuTable(report: PmtuReport): string {
  const directions = [report.forward, report.reverse].filter((d): d is DirectionReport => d !== null);
  const header = ['direction', 'path MTU', 'frame', 'verdict', 'cost'];
  const rows = [header, ...directions.map(row)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [
    `path MTU  ${endLine(report.from)}  ⇄  ${endLine(report.to)}`,
    '',
    ...rows.map((r) => r.map((cell, i) => pad(cell, widths[i]! + 2)).join('').trimEnd()),
    '',
  ];
  if (report.reverse) lines.push(`asymmetric: ${report.asymmetric ? 'yes, the two directions differ' : 'no'}`);
  for (const d of directions) {
    if (d.verdict === 'error') continue;
    lines.push(`• ${d.explanation}.`);
    if (d.flows) {
      const classes = d.flows.classes.map((c) => `${c.pathMtuBytes ?? 'no answer'} on ${sharePercent(c.share)}${c.verdict ? ` (${c.verdict})` : ''}`).join(', ');
      lines.push(`  flows: ${d.flows.rule}; ${d.flows.multipath ? `they split: ${classes}` : `all ${d.flows.classes[0]?.pathMtuBytes ?? 'no answer'}`}.`);
    }
    if (d.advice) lines.push(`  fix: ${d.advice}.`);
  }
  return lines.join('\n') + '\n';
}
