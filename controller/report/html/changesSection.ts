import { formatBitsPerSecond, formatPercent } from '../../render/throughputFormat.js';
import { utc } from '../../render/format.js';
import { html, type SafeHtml } from '../../render/html.js';
import { section } from '../../render/section.js';
import type { Pair } from '../../model/pair.js';
import type { DiffChange, DiffValue, PairDiff } from '../../model/runDiff.js';
import type { ComparedRunReport } from '../../diff/runComparison.js';
import { flowClassesText } from '../../pmtu/flowClassesText.js';

const INTRO = 'What changed since the run this one was compared with (pathprobe run --compare), per pair and direction: '
  + 'path MTU and verdict changes always count, throughput only beyond the repeats\' noise and the threshold; '
  + 'environment changes are shown next to the changes they may explain.';

function pairLabel(pair: Pair): string {
  return `${pair.a.agent} ${pair.a.address} ↔ ${pair.b.agent} ${pair.b.address}`;
}

function valueText(c: DiffChange, v: DiffValue, side: 'before' | 'after'): string {
  if (c.flowClasses) return flowClassesText(c.flowClasses[side]);
  if (v === null) return '—';
  if (c.kind === 'throughput' && typeof v === 'number') return formatBitsPerSecond(v);
  if (c.kind === 'nic-speed' && typeof v === 'number') return `${v} Mbit/s`;
  return String(v);
}

function whatText(c: DiffChange): string {
  const kind = c.kind.replace(/-/g, ' ');
  return c.subject ? `${kind}: ${c.subject}` : kind;
}

function changeText(c: DiffChange): string {
  if (c.category === 'environment') return 'may explain';
  if (c.kind === 'path-mtu' && !c.flowClasses && typeof c.before === 'number' && typeof c.after === 'number') {
    return `${c.after > c.before ? '+' : '−'}${Math.abs(c.after - c.before)}`;
  }
  if (c.kind === 'throughput' && c.cell) {
    const rel = c.cell.relativeChange;
    const pct = rel === null ? '' : `${rel >= 0 ? '+' : '−'}${formatPercent(Math.abs(rel))} `;
    return `${pct}${c.cell.judgement.replace('-', ' ')}`;
  }
  return c.significant ? 'changed' : 'changed (noise)';
}

function changeRow(p: PairDiff, route: string, c: DiffChange): SafeHtml {
  const badge = c.regression ? html`<span class="badge fail">✕ REGRESSION</span>`
    : c.category === 'environment' ? html`<span class="badge warn">environment</span>`
      : c.significant ? html`<span class="badge warn">changed</span>` : html`<span class="muted">noise</span>`;
  return html`<tr data-pair="${p.pairId}" data-direction="${c.direction ?? ''}" data-kind="${c.kind}" data-category="${c.category}" data-regression="${String(c.regression)}">
<td>${pairLabel(p.pair)}</td><td>${route}</td><td>${whatText(c)}</td><td class="num">${valueText(c, c.before, 'before')}</td><td class="num">${valueText(c, c.after, 'after')}</td><td>${changeText(c)}</td><td>${badge}</td><td class="small">${c.explanation}</td></tr>
`;
}

/**
 * "Changes since baseline": the run's diff (report.comparison) as one table of changes, the pairs
 * added or removed, and the environment changes. Only rendered for a run made with --compare.
 */
export function changesSection(report: ComparedRunReport): SafeHtml {
  const c = report.comparison;
  if (c === undefined) return html``;
  if (c === null) {
    return section('changes', 'Changes since baseline', html`<p class="muted">No baseline for this plan, so nothing was compared; set one with <code>pathprobe baseline set RUN_ID</code>.</p>`);
  }
  const s = c.summary;
  const rows = c.pairs.flatMap((p) => [
    ...p.changes.map((change) => changeRow(p, '—', change)),
    ...p.directions.flatMap((d) => d.changes.map((change) => changeRow(p, `${d.route} (${d.direction})`, change))),
  ]);
  const unchanged = c.pairs.filter((p) => p.status === 'compared' && !p.changed);
  const scope = report.plan.onlyThrough ? `only the pairs crossing ${report.plan.onlyThrough.key}=${report.plan.onlyThrough.value}` : 'every pair of the plan';
  const body = html`<div class="verdict-banner ${c.regressed ? 'fail' : 'pass'}" data-testid="changes-result" data-regressed="${String(c.regressed)}">
<div class="big">${c.regressed ? 'REGRESSED' : 'NO REGRESSION'}</div>
<div>${c.regressed ? `${s.regressions} regression${s.regressions === 1 ? '' : 's'} on ${c.pairs.filter((p) => p.regressed).length} pair(s).` : 'Nothing got worse.'}</div>
</div>
<dl class="facts">
<div><dt>Compared with</dt><dd>${c.against === 'baseline' ? 'baseline ' : 'run '}<code>${c.baselineRunId}</code>, started ${utc(c.base.startedAt)}</dd></div>
<div><dt>Scope</dt><dd>${scope}</dd></div>
<div><dt>Pairs</dt><dd>${s.pairsCompared} compared (${s.pairsChanged} changed, ${s.pairsUnchanged} unchanged), ${s.pairsAdded} added, ${s.pairsRemoved} removed</dd></div>
<div><dt>Throughput</dt><dd>counts beyond the repeats' noise and ${formatPercent(c.throughputThreshold)}</dd></div>
</dl>
${rows.length ? html`<div class="scroll"><table class="data changes">
<thead><tr><th>Pair</th><th>Direction</th><th>What</th><th class="num">Before</th><th class="num">After</th><th>Change</th><th></th><th>Why</th></tr></thead>
<tbody>${rows}</tbody></table></div>` : html`<p class="muted">No change.</p>`}
${c.environment.length ? html`<h3>Environment changes</h3><ul class="failures">${c.environment.map((e) => html`<li data-env-kind="${e.kind}" data-host="${e.host}">${e.explanation} (${e.pairs.length} pair${e.pairs.length === 1 ? '' : 's'})</li>`)}</ul>` : ''}
${unchanged.length ? html`<p class="muted">Unchanged: ${unchanged.map((p) => `${p.pair.a.agent}↔${p.pair.b.agent}`).join(', ')}.</p>` : ''}`;
  return section('changes', 'Changes since baseline', body, INTRO);
}
