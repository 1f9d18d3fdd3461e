import { gbit, percent } from '../render/format.js';
import { html, type SafeHtml } from '../render/html.js';
import type { PairDirectionView } from '../model/pairDirections.js';
import { endpointHeader, runDirections, runEndpoints } from '../render/runDirections.js';
import { section } from '../render/section.js';
import { bestThroughputCell, rowStalled, throughputCellText } from './throughputCellText.js';
import type { RunReport } from '../model/runReport.js';
import type { ThroughputRowKind } from '../model/throughputMatrix.js';

type Kind = Extract<ThroughputRowKind, '1500' | 'jumbo'>;

function rowOf(d: PairDirectionView | null, kind: Kind) {
  return d?.throughput?.rows.find((r) => r.row.row === kind) ?? null;
}

function matrixCell(d: PairDirectionView | null, kind: Kind, goal: number): SafeHtml {
  if (d === null || d.throughput === null) return html`<td class="cell none" title="no throughput test">·</td>`;
  const row = rowOf(d, kind);
  const route = d.throughput.route;
  if (row === null) return html`<td class="cell none" title="${route}: no ${kind} row (NIC MTUs)">n/a</td>`;
  const detail = `${route}, ${row.row.label}: ${row.cells.map((c) => `P${c.streams} ${throughputCellText(c)}`).join(', ')}`;
  const best = bestThroughputCell(row.cells);
  const stalled = rowStalled(row.cells);
  const partial = row.cells.find((c) => c.partialStall && c.stalledStreams);
  const partialText = partial ? `✕ ${partial.stalledStreams!.stalled} of ${partial.stalledStreams!.of} streams stalled` : null;
  if (best === null) {
    return stalled
      ? html`<td class="cell t-stalled" data-stalled="${partial ? 'partial' : 'true'}" title="${detail}"><span class="mtu">STALLED</span><span class="verdict">${partialText ?? '✕ no data arrived'}</span></td>`
      : html`<td class="cell t-none" title="${detail}"><span class="mtu">—</span><span class="verdict">no measurement</span></td>`;
  }
  const eff = best.linkEfficiency;
  const cls = eff === null ? 't-unknown' : eff >= goal ? 't-good' : 't-low';
  const note = stalled ? partialText ?? '✕ partly stalled' : `P${best.streams}${eff === null ? '' : ` · ${percent(eff)}`}`;
  return html`<td class="cell ${cls}${stalled ? ' t-stalled' : ''}" ${stalled ? html`data-stalled="true"` : ''} title="${detail}"><span class="mtu">${gbit(best.medianBitsPerSecond!)}</span><span class="verdict">${note}</span></td>`;
}

function detailTable(directions: PairDirectionView[], kind: Kind): SafeHtml {
  const rows = directions.flatMap((d) => {
    const r = rowOf(d, kind);
    return r ? [{ d, r }] : [];
  });
  if (rows.length === 0) return html`<p class="muted">No ${kind} rows were measured.</p>`;
  const streams = [...new Set(rows.flatMap(({ r }) => r.cells.map((c) => c.streams)))].sort((a, b) => a - b);
  return html`<table class="data">
<thead><tr><th>Direction</th><th>Frames</th>${streams.map((s) => html`<th class="num">P${s}</th>`)}${kind === 'jumbo' ? html`<th>Jumbo verdict</th>` : ''}</tr></thead>
<tbody>${rows.map(({ d, r }) => {
    const verdict = d.throughput!.jumboVerdict;
    return html`<tr><td>${d.throughput!.route}</td><td>${r.row.label}${r.row.mssBytes ? ` (MSS ${r.row.mssBytes})` : ''}</td>${streams.map((s) => {
      const c = r.cells.find((x) => x.streams === s);
      const text = c ? throughputCellText(c) : '—';
      return html`<td class="num${c?.stalled ? ' stalled-text' : ''}">${text}</td>`;
    })}${kind === 'jumbo' ? html`<td class="verdict-cell"><strong>${verdict.verdict ?? 'n/a'}</strong>${verdict.gainPercent !== null && verdict.verdict !== 'jumbo-stalled' ? ` (${verdict.gainPercent > 0 ? '+' : ''}${verdict.gainPercent} %)` : ''}<div class="small">${verdict.explanation}</div></td>` : ''}</tr>
`;
  })}</tbody></table>`;
}

/** Best median per direction for one frame size, as a sender × receiver matrix, with every cell below. */
export function throughputMatrixSection(report: RunReport, kind: Kind): SafeHtml {
  const endpoints = runEndpoints(report);
  const find = runDirections(report);
  const goal = report.plan.expect.minLinkEfficiency ?? 0.9;
  const directions = endpoints.flatMap((s) => endpoints.flatMap((r) => {
    const d = s === r ? null : find(s, r);
    return d && d.throughput ? [d] : [];
  }));
  const title = kind === '1500' ? 'Throughput at 1500-byte packets' : 'Throughput with jumbo frames';
  const body = html`<div class="scroll"><table class="matrix" data-matrix="throughput-${kind}">
<caption>Best median over stream counts, Gbit/s · row sends to column</caption>
<thead><tr><th class="corner">sender ↓ · receiver →</th>${endpoints.map((e) => html`<th scope="col">${endpointHeader(e)}</th>`)}</tr></thead>
<tbody>
${endpoints.map((row) => html`<tr data-row="${row.agent}"><th scope="row">${endpointHeader(row)}</th>${endpoints.map((col) => (row === col
    ? html`<td class="cell self" aria-label="same endpoint"></td>`
    : matrixCell(find(row, col), kind, goal)))}</tr>
`)}</tbody></table></div>
<ul class="legend">
<li><span class="swatch t-good">✓</span>≥ ${percent(goal)} of link speed</li>
<li><span class="swatch t-low">↓</span>below ${percent(goal)} of link speed</li>
<li><span class="swatch t-stalled">✕</span>STALLED: bytes left the sender, none arrived</li>
<li><span class="swatch none">·</span>not tested</li>
</ul>
<h3>All ${kind === '1500' ? '1500' : 'jumbo'} cells</h3>
<p class="small muted">Median of the repeats in Gbit/s, ± half their spread; * tool-bound (measured the host, not the network).</p>
${detailTable(directions, kind)}`;
  return section(`throughput-${kind}`, title, body, kind === '1500'
    ? 'TCP throughput with the MSS clamped to a 1500-byte MTU (iperf3 -M), per direction; the best stream count per cell.'
    : 'TCP throughput at the NICs\' jumbo MTU; a stalled cell means full-size segments never arrived.');
}
