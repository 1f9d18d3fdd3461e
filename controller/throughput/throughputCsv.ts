import type { ThroughputReport } from './throughputReport.js';

const COLUMNS = [
  'direction', 'route', 'row', 'mtuBytes', 'mssBytes', 'streams', 'status', 'okRepeats', 'repeats',
  'medianBitsPerSecond', 'minBitsPerSecond', 'maxBitsPerSecond', 'relativeSpread', 'medianRetransmits',
  'medianSenderCpuPercent', 'medianReceiverCpuPercent', 'medianIntervalCov', 'linkEfficiency',
  'goodputEfficiency', 'toolBound', 'stalled', 'failureClasses', 'sweetSpotStreams', 'jumboVerdict',
  // Added after the columns above, so a spreadsheet's existing column letters stay put.
  'stalledStreams',
] as const;

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line per matrix cell, for spreadsheets. Pure. */
export function throughputCsv(report: ThroughputReport): string {
  const lines = [COLUMNS.join(',')];
  for (const d of report.matrix.directions) {
    for (const r of d.rows) {
      for (const c of r.cells) {
        const values: Record<(typeof COLUMNS)[number], unknown> = {
          direction: d.direction, route: d.route, row: r.row.row, mtuBytes: r.row.mtuBytes, mssBytes: r.row.mssBytes,
          streams: c.streams, status: c.status, okRepeats: c.okRepeats, repeats: c.repeats,
          medianBitsPerSecond: c.medianBitsPerSecond, minBitsPerSecond: c.minBitsPerSecond, maxBitsPerSecond: c.maxBitsPerSecond,
          relativeSpread: c.relativeSpread, medianRetransmits: c.medianRetransmits,
          medianSenderCpuPercent: c.medianSenderCpuPercent, medianReceiverCpuPercent: c.medianReceiverCpuPercent,
          medianIntervalCov: c.medianIntervalCov, linkEfficiency: c.linkEfficiency, goodputEfficiency: c.goodputEfficiency,
          toolBound: c.toolBound, stalled: c.stalled, stalledStreams: c.stalledStreams ? `${c.stalledStreams.stalled}/${c.stalledStreams.of}` : '',
          failureClasses: Object.entries(c.failureClasses).map(([k, n]) => `${k}:${n}`).join(' '),
          sweetSpotStreams: r.sweetSpot.streams, jumboVerdict: d.jumboVerdict.verdict,
        };
        lines.push(COLUMNS.map((k) => csvField(values[k])).join(','));
      }
    }
  }
  return lines.join('\n') + '\n';
}
