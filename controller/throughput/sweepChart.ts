import { html, type SafeHtml } from '../render/html.js';
import type { ThroughputDirectionMatrix, ThroughputRowKind } from '../model/throughputMatrix.js';

const W = 250;
const H = 180;
const M = { left: 34, right: 12, top: 28, bottom: 34 };

/** Per frame row: colour, dash and marker, so lines stay apart in grey print. */
const LINE: Record<ThroughputRowKind, { cls: string; dash: string; marker: 'circle' | 'square' | 'triangle' }> = {
  '1500': { cls: 'l-1500', dash: '', marker: 'circle' },
  jumbo: { cls: 'l-jumbo', dash: '6 4', marker: 'square' },
  path: { cls: 'l-path', dash: '2 3', marker: 'triangle' },
};

/** A round tick step giving about four intervals up to `value`. */
function niceStep(value: number): number {
  const raw = value / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((s) => s * mag).find((v) => v >= raw)!;
}

function marker(kind: 'circle' | 'square' | 'triangle', x: number, y: number, cls: string): SafeHtml {
  if (kind === 'circle') return html`<circle class="${cls}" cx="${x}" cy="${y}" r="3.5"/>`;
  if (kind === 'square') return html`<rect class="${cls}" x="${x - 3.5}" y="${y - 3.5}" width="7" height="7"/>`;
  return html`<path class="${cls}" d="M${x} ${y - 4.5}L${x + 4.5} ${y + 3.5}L${x - 4.5} ${y + 3.5}Z"/>`;
}

const f = (n: number): string => n.toFixed(1);

/**
 * Inline SVG line chart of one direction: median Gbit/s against stream count, one line per frame
 * row, the sweet spot ringed, stalled cells crossed at zero. Pure.
 */
export function sweepChart(d: ThroughputDirectionMatrix, linkSpeedMbps: number | null): SafeHtml {
  const medians = d.rows.flatMap((r) => r.cells.map((c) => c.medianBitsPerSecond ?? 0));
  const peak = Math.max(1, (linkSpeedMbps ?? 0) / 1000, ...medians.map((b) => b / 1e9));
  const step = niceStep(peak);
  const top = Math.ceil(peak / step - 1e-9) * step;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const n = d.streams.length;
  const xOf = (i: number): number => M.left + (n <= 1 ? plotW / 2 : (plotW * (i + 0.5)) / n);
  const yOf = (gbps: number): number => M.top + plotH - (plotH * gbps) / top;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);

  const grid = ticks.map((t) => html`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${f(yOf(t))}" y2="${f(yOf(t))}"/><text class="tick" x="${M.left - 6}" y="${f(yOf(t) + 3.5)}" text-anchor="end">${Number.isInteger(t) ? t : Number(t.toFixed(2))}</text>`);
  const xTicks = d.streams.map((s, i) => html`<text class="tick" x="${f(xOf(i))}" y="${H - M.bottom + 15}" text-anchor="middle">P${s}</text>`);
  const link = linkSpeedMbps
    ? html`<line class="link" x1="${M.left}" x2="${W - M.right}" y1="${f(yOf(linkSpeedMbps / 1000))}" y2="${f(yOf(linkSpeedMbps / 1000))}"/><text class="tick" x="${W - M.right}" y="${f(yOf(linkSpeedMbps / 1000) - 4)}" text-anchor="end">link ${linkSpeedMbps / 1000}G</text>`
    : '';

  const lines = d.rows.map((r) => {
    const style = LINE[r.row.row];
    const points = r.cells.flatMap((c, i) => (c.medianBitsPerSecond === null ? [] : [{ x: xOf(d.streams.indexOf(c.streams) >= 0 ? d.streams.indexOf(c.streams) : i), y: yOf(c.medianBitsPerSecond / 1e9), c }]));
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(p.x)} ${f(p.y)}`).join('');
    const failed = r.cells.filter((c) => c.medianBitsPerSecond === null && (c.stalled || c.status === 'failed' || c.skipped === 'stalled-row'));
    const sweet = points.find((p) => p.c.streams === r.sweetSpot.streams);
    return html`<g class="series" data-row="${r.row.row}">
${path ? html`<path class="line ${style.cls}" d="${path}" ${style.dash ? html`stroke-dasharray="${style.dash}"` : ''}/>` : ''}
${points.map((p) => html`${marker(style.marker, p.x, p.y, `pt ${style.cls}`)}<title>${r.row.label} P${p.c.streams}: ${(p.c.medianBitsPerSecond! / 1e9).toFixed(2)} Gbit/s</title>`)}
${sweet ? html`<circle class="sweet" cx="${f(sweet.x)}" cy="${f(sweet.y)}" r="8"><title>sweet spot ${r.row.label}: P${sweet.c.streams}</title></circle>` : ''}
${failed.map((c) => {
    const x = xOf(d.streams.indexOf(c.streams));
    const y = yOf(0);
    return html`<g class="stall"><path d="M${f(x - 5)} ${f(y - 5)}L${f(x + 5)} ${f(y + 5)}M${f(x + 5)} ${f(y - 5)}L${f(x - 5)} ${f(y + 5)}"/><text x="${f(x)}" y="${f(y - 9)}" text-anchor="middle">${c.stalled ? 'stalled' : c.status === 'skipped' ? 'skipped' : 'failed'}</text><title>${r.row.label} P${c.streams}: ${c.stalled ? 'stalled' : c.status}</title></g>`;
  })}
</g>`;
  });

  const legend = d.rows.map((r, i) => {
    const style = LINE[r.row.row];
    const x = M.left + i * 92;
    return html`<g class="key"><line class="line ${style.cls}" x1="${x}" x2="${x + 22}" y1="12" y2="12" ${style.dash ? html`stroke-dasharray="${style.dash}"` : ''}/>${marker(style.marker, x + 11, 12, `pt ${style.cls}`)}<text x="${x + 27}" y="16">${r.row.label}</text></g>`;
  });

  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${d.route}: throughput against stream count">
<title>${d.route}: median Gbit/s per stream count</title>
${grid}${link}
<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${f(yOf(0))}" y2="${f(yOf(0))}"/>
${xTicks}
<text class="axis-label" x="${M.left + plotW / 2}" y="${H - 4}" text-anchor="middle">parallel streams</text>
<text class="axis-label" transform="translate(11 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">Gbit/s</text>
${lines}
${legend}
</svg>`;
}
