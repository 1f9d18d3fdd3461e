import { html, type SafeHtml } from '../../render/html.js';
import { section } from '../../render/section.js';
import type { Finding, RunReport } from '../../model/runReport.js';

function finding(f: Finding, i: number): SafeHtml {
  return html`<article class="finding ${f.severity}" data-kind="${f.kind}" data-severity="${f.severity}">
<header><span class="badge ${f.severity}">${f.severity === 'fail' ? '✕ FAIL' : '! WARN'}</span> <span class="num-label">#${i + 1}</span> <h3>${f.title}</h3></header>
<p class="meta">${f.kind} · scope <code>${f.scope}</code></p>
<p>${f.explanation}</p>
${f.fix ? html`<p class="fix"><strong>Fix:</strong> ${f.fix}</p>` : ''}
${f.repro.length ? html`<div class="repro"><strong>Reproduce:</strong><pre><code>${f.repro.join('\n')}</code></pre></div>` : ''}
</article>`;
}

/** Every finding, failures first, with what to do and how to see it yourself. */
export function findingsSection(report: RunReport): SafeHtml {
  const ordered = [...report.findings.filter((f) => f.severity === 'fail'), ...report.findings.filter((f) => f.severity !== 'fail')];
  return section('findings', `Findings (${report.findings.length})`, ordered.length
    ? html`${ordered.map(finding)}`
    : html`<p class="muted">No findings.</p>`);
}
