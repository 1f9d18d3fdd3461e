import { PMTU_VERDICTS, type PathVerdict } from '../model/verdicts.js';
import { html, type SafeHtml } from '../render/html.js';
import type { Direction } from '../model/direction.js';
import type { PairDirectionView } from '../model/pairDirections.js';
import { endpointHeader, runDirections, runEndpoints } from '../render/runDirections.js';
import { section } from '../render/section.js';
import { VERDICT_STYLE } from './verdictStyle.js';
import { flowSplitText } from './flowClassesText.js';
import type { RunReport } from '../model/runReport.js';

function cell(d: PairDirectionView | null): SafeHtml {
  if (d === null) return html`<td class="cell none" title="not tested">·</td>`;
  if (d.report === null) {
    const why = d.result.pmtuError ? `${d.result.pmtuError.code}: ${d.result.pmtuError.message}` : 'not measured in this direction';
    const style = VERDICT_STYLE[d.result.pmtuError ? 'error' : 'unreachable'];
    return html`<td class="cell ${style.cls}" title="${d.sender.agent} → ${d.receiver.agent}: ${why}"><span class="mtu">—</span><span class="verdict">${d.result.pmtuError ? 'error' : 'not measured'}</span></td>`;
  }
  const verdict: PathVerdict = d.report.verdict;
  const style = VERDICT_STYLE[verdict];
  // The safe size first; flows that split add the other classes with their shares.
  const [safe, others] = flowSplitText(d.report).split(' | ') as [string, string | undefined];
  const mtu = others === undefined ? html`${safe}` : html`${safe} <span class="split">| ${others}</span>`;
  const multipath = d.report.verdict !== 'error' && d.report.flows?.multipath === true;
  const detail = d.report.verdict === 'error' ? `${d.report.error.code}: ${d.report.error.message}` : d.report.explanation;
  return html`<td class="cell ${style.cls}${multipath ? ' multipath' : ''}" data-verdict="${verdict}"${multipath ? html` data-flows="split"` : html``} title="${d.report.direction}: ${style.words} — ${detail}"><span class="mtu">${mtu}</span><span class="verdict">${style.symbol} ${style.words}</span></td>`;
}

function legend(): SafeHtml {
  return html`<ul class="legend">${PMTU_VERDICTS.map((v) => html`<li><span class="swatch ${VERDICT_STYLE[v].cls}">${VERDICT_STYLE[v].symbol}</span>${VERDICT_STYLE[v].words}</li>`)}</ul>`;
}

/**
 * The path MTU heat map of one direction. Forward: the cell at (row, column) is row → column.
 * Reverse: the same cell is the way back, column → row, so the two maps compare position by position.
 */
export function pmtuMatrixSection(report: RunReport, which: Direction): SafeHtml {
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
