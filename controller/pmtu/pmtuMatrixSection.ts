import { html, type SafeHtml } from '../render/html.js';
import { endpointHeader, runDirections, runEndpoints, type RunDirection } from '../report/html/runDirections.js';
import { section } from '../render/section.js';
import { VERDICT_STYLE, type CellVerdict } from './verdictStyle.js';
import type { RunReport } from '../model/runReport.js';

function cell(d: RunDirection | null): SafeHtml {
  if (d === null) return html`<td class="cell none" title="not tested">·</td>`;
  if (d.pmtu === null) {
    const why = d.pair.pmtuError ? `${d.pair.pmtuError.code}: ${d.pair.pmtuError.message}` : 'not measured in this direction';
    const style = VERDICT_STYLE[d.pair.pmtuError ? 'error' : 'unreachable'];
    return html`<td class="cell ${style.cls}" title="${d.sender.agent} → ${d.receiver.agent}: ${why}"><span class="mtu">—</span><span class="verdict">${d.pair.pmtuError ? 'error' : 'not measured'}</span></td>`;
  }
  const verdict: CellVerdict = d.pmtu.verdict;
  const style = VERDICT_STYLE[verdict];
  const mtu = d.pmtu.verdict !== 'error' && d.pmtu.pathMtu !== null ? String(d.pmtu.pathMtu) : '—';
  const detail = d.pmtu.verdict === 'error' ? `${d.pmtu.error.code}: ${d.pmtu.error.message}` : d.pmtu.explanation;
  return html`<td class="cell ${style.cls}" data-verdict="${verdict}" title="${d.pmtu.direction}: ${style.words} — ${detail}"><span class="mtu">${mtu}</span><span class="verdict">${style.symbol} ${style.words}</span></td>`;
}

function legend(): SafeHtml {
  const order: CellVerdict[] = ['ok', 'silent-drop', 'frag-needed', 'mtu-mismatch', 'unreachable'];
  return html`<ul class="legend">${order.map((v) => html`<li><span class="swatch ${VERDICT_STYLE[v].cls}">${VERDICT_STYLE[v].symbol}</span>${VERDICT_STYLE[v].words}</li>`)}</ul>`;
}

/**
 * The path MTU heat map of one direction. Forward: the cell at (row, column) is row → column.
 * Reverse: the same cell is the way back, column → row, so the two maps compare position by position.
 */
export function pmtuMatrixSection(report: RunReport, which: 'forward' | 'reverse'): SafeHtml {
  const endpoints = runEndpoints(report);
  const find = runDirections(report);
  const body = html`<div class="scroll"><table class="matrix" data-matrix="pmtu-${which}">
<caption>${which === 'forward' ? 'Row sends to column' : 'Column sends back to row'} · path MTU in bytes</caption>
<thead><tr><th class="corner">${which === 'forward' ? 'sender ↓ · receiver →' : 'receiver ↓ · sender →'}</th>${endpoints.map((e) => html`<th scope="col">${endpointHeader(e)}</th>`)}</tr></thead>
<tbody>
${endpoints.map((row) => html`<tr data-row="${row.agent}"><th scope="row">${endpointHeader(row)}</th>${endpoints.map((col) => {
    if (row === col) return html`<td class="cell self" aria-label="same endpoint"></td>`;
    return cell(which === 'forward' ? find(row, col) : find(col, row));
  })}</tr>
`)}</tbody></table></div>
${legend()}`;
  return which === 'forward'
    ? section('pmtu-matrix-forward', 'Path MTU — outbound (row → column)', body,
      'The largest IP packet that crosses each direction unfragmented, proved by DF probes. Hover a cell for the evidence.')
    : section('pmtu-matrix-reverse', 'Path MTU — return path (column → row)', body,
      'The same pairs measured the other way: each cell is the path back to the row host, so a cell that differs from the outbound map marks an asymmetric path.');
}
