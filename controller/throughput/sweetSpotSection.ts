import { gbit } from '../render/format.js';
import { html, type SafeHtml } from '../render/html.js';
import { section } from '../render/section.js';
import { sweepChart } from './sweepChart.js';
import type { RunReport } from '../model/runReport.js';
import type { ThroughputRowKind } from '../model/throughputMatrix.js';

const ROW_ORDER: ThroughputRowKind[] = ['1500', 'jumbo', 'path'];

/** Sweet-spot stream counts per direction and frame row, and each pair's sweep curves. */
export function sweetSpotSection(report: RunReport): SafeHtml {
  const tested = report.pairs.filter((p) => p.throughput && p.throughput.directions.length > 0);
  if (tested.length === 0) return section('sweet-spot', 'Stream-count sweet spot', html`<p class="muted">No throughput tests in this run.</p>`);
  const kinds = ROW_ORDER.filter((k) => tested.some((p) => p.throughput!.directions.some((d) => d.rows.some((r) => r.row.row === k))));
  const label: Record<ThroughputRowKind, string> = { '1500': '1500', jumbo: 'jumbo', path: 'path MTU' };
  const table = html`<table class="data sweet" data-matrix="sweet-spot">
<thead><tr><th>Pair</th><th>Direction</th>${kinds.map((k) => html`<th class="num">${label[k]}</th>`)}</tr></thead>
<tbody>${tested.map((p) => p.throughput!.directions.map((d, i) => html`<tr>${i === 0 ? html`<td rowspan="${p.throughput!.directions.length}">${p.pair.a.agent} ↔ ${p.pair.b.agent}</td>` : ''}<td>${d.route}</td>${kinds.map((k) => {
    const r = d.rows.find((x) => x.row.row === k);
    if (!r) return html`<td class="num muted">—</td>`;
    const s = r.sweetSpot;
    if (s.streams === null) return html`<td class="num spot-none" title="${s.explanation}"><strong>none</strong><div class="small">${r.cells.some((c) => c.stalled) ? 'stalled' : 'no measurement'}</div></td>`;
    return html`<td class="num" title="${s.explanation}"><strong>P${s.streams}</strong><div class="small">${gbit(s.bitsPerSecond!)} Gbit/s${s.degradesBeyond !== null ? ` · degrades beyond P${s.degradesBeyond}` : ''}${s.basis === 'tool-bound-only' ? ' · tool-bound' : ''}</div></td>`;
  })}</tr>
`))}</tbody></table>`;
  const charts = tested.map((p) => html`<figure class="pair-charts" data-pair="${p.pair.id}">
<figcaption>${p.pair.a.agent} (${p.pair.a.address}) ↔ ${p.pair.b.agent} (${p.pair.b.address})</figcaption>
<div class="charts">${p.throughput!.directions.map((d) => html`<div class="chart-box"><span class="route">${d.route}</span>${sweepChart(d, p.throughput!.linkSpeedMbps)}</div>`)}</div>
</figure>`);
  return section('sweet-spot', 'Stream-count sweet spot', html`${table}
<p class="small muted">Sweet spot: the fewest parallel streams within 5 % of the best median. Hover a cell for the reasoning. Charts: median per stream count, sweet spot ringed, ✕ = stalled / skipped cell.</p>
<div class="chart-grid">${charts}</div>`,
  'How many parallel TCP streams each path needs to reach its best rate.');
}
