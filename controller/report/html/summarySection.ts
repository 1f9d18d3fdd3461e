import { duration, utc } from '../../render/format.js';
import { html, type SafeHtml } from '../../render/html.js';
import { section } from '../../render/section.js';
import { VERDICT_STYLE } from '../../pmtu/verdictStyle.js';
import { PATH_VERDICTS } from '../../model/verdicts.js';
import type { ComparedRunReport } from '../../diff/runComparison.js';

const EXIT_MEANING: Record<number, string> = {
  0: 'all checks passed and every expectation was met',
  1: 'a finding: a check failed or an expectation was not met',
  2: 'usage: the plan or a request was refused',
  3: 'could not run: an agent or a target could not be reached or measured',
};

export type Overall = 'PASS' | 'FAIL' | 'INCOMPLETE';

/** PASS only for a finished run with exit code 0, every expectation met and no failing finding. */
export function overallResult(report: ComparedRunReport): Overall {
  if (report.status !== 'done') return 'INCOMPLETE';
  const failed = report.exitCode !== 0 || report.expectations.some((e) => !e.pass) || report.findings.some((f) => f.severity === 'fail');
  return failed ? 'FAIL' : 'PASS';
}

/** The pairs a culprit finding explains: the crossing pairs of a label, the pairs of a router. */
function explainedPairs(finding: ComparedRunReport['findings'][number]): string[] {
  const evidence = (finding as { evidence?: { crossingPairs?: string[]; pairs?: string[] } }).evidence;
  return evidence?.crossingPairs ?? evidence?.pairs ?? [];
}

/**
 * The banner's words: the root cause first when a culprit explains failures ("Root cause: switch
 * tor-2 silently drops frames above 1518 bytes (IP MTU 1500); it explains 12 of 13 failing
 * findings."), then what else failed.
 */
function bannerText(report: ComparedRunReport, fails: number): string {
  const unmet = report.expectations.filter((e) => !e.pass).length;
  const counts = `${fails} failing finding${fails === 1 ? '' : 's'}, ${unmet} expectation${unmet === 1 ? '' : 's'} not met.`;
  const culprits = report.findings.filter((f) => f.kind === 'culprit-switch' && f.severity === 'fail');
  if (culprits.length === 0) return counts;
  const pairs = new Set(culprits.flatMap(explainedPairs));
  const explained = report.findings.filter((f) => f.kind !== 'culprit-switch' && f.severity === 'fail' && pairs.has(f.scope)).length;
  const others = fails - culprits.length - explained;
  const causes = culprits.map((c) => c.title).join('; ');
  return `Root cause${culprits.length === 1 ? '' : 's'}: ${causes}. ${culprits.length === 1 ? 'It explains' : 'They explain'} ${explained} of the other ${fails - culprits.length} failing findings${others > 0 ? `; ${others} more need a look (see Findings)` : ''}. ${unmet} expectation${unmet === 1 ? '' : 's'} not met.`;
}

/** How many directions had each verdict, from the roll-up (a pair that could not run counts both ways as error). */
function verdictCounts(report: ComparedRunReport): SafeHtml {
  const { counts } = report.rollup.total;
  return html`${PATH_VERDICTS.filter((v) => counts[v] > 0).map((v) => html`<span class="chip ${VERDICT_STYLE[v].cls}">${VERDICT_STYLE[v].symbol} ${counts[v]} ${VERDICT_STYLE[v].words}</span> `)}`;
}

/** First page: what ran, the verdict, each expectation, and the sign-off block. */
export function summarySection(report: ComparedRunReport): SafeHtml {
  const overall = overallResult(report);
  const fails = report.findings.filter((f) => f.severity === 'fail').length;
  const warns = report.findings.length - fails;
  const hosts = report.plan.agents.length;
  const throughputPairs = report.pairs.filter((p) => p.throughput).length;
  const body = html`<div class="verdict-banner ${overall.toLowerCase()}" data-testid="overall" data-overall="${overall}">
<div class="big">${overall}</div>
<div>${overall === 'PASS' ? 'The rack meets every expectation of the plan.' : overall === 'FAIL' ? bannerText(report, fails) : `The run is ${report.status}: results are partial.`}${report.comparison?.regressed ? ` Regressed since ${report.comparison.baselineRunId} (see Changes since baseline).` : ''}</div>
</div>
<dl class="facts">
<div><dt>Run</dt><dd><code>${report.runId}</code></dd></div>
<div><dt>Status</dt><dd>${report.status}</dd></div>
<div><dt>Started</dt><dd>${utc(report.startedAt)}</dd></div>
<div><dt>Finished</dt><dd>${utc(report.finishedAt)} (${duration(report.startedAt, report.finishedAt)})</dd></div>
<div><dt>Exit code</dt><dd><strong>${report.exitCode}</strong> — ${EXIT_MEANING[report.exitCode] ?? 'unknown'}${report.exitCode === 1 && report.comparison?.regressed ? '; or a regression since the baseline' : ''}</dd></div>
<div><dt>Scope</dt><dd>${hosts} host${hosts === 1 ? '' : 's'}, ${report.pairs.length} pairs${report.plan.onlyThrough ? ` (only those crossing ${report.plan.onlyThrough.key}=${report.plan.onlyThrough.value})` : ''}, tests: ${report.plan.tests.join(', ')}; throughput on ${throughputPairs} pair${throughputPairs === 1 ? '' : 's'}</dd></div>
<div><dt>Path MTU</dt><dd>${verdictCounts(report)}</dd></div>
<div><dt>Findings</dt><dd>${fails} fail, ${warns} warn</dd></div>
</dl>
<h3>Expectations</h3>
${report.expectations.length === 0 ? html`<p class="muted">The plan sets no expectations.</p>` : html`<table class="data expectations">
<thead><tr><th>Result</th><th>Expectation</th><th>Expected</th><th class="num">Passed</th><th class="num">Failed</th><th>Failures</th></tr></thead>
<tbody>${report.expectations.map((e) => html`<tr data-expectation="${e.name}" data-pass="${String(e.pass)}"><td><span class="badge ${e.pass ? 'pass' : 'fail'}">${e.pass ? '✓ PASS' : '✕ FAIL'}</span></td><td><code>${e.name}</code></td><td>${e.expected}</td><td class="num">${e.passed}</td><td class="num">${e.failed}</td><td>${e.failures.length ? html`<ul class="failures">${e.failures.map((f) => html`<li>${f}</li>`)}</ul>` : '—'}</td></tr>
`)}</tbody></table>`}
<div class="signoff" data-testid="sign-off">
<div><span class="line"></span>Reviewed by</div>
<div><span class="line"></span>Date</div>
<div><span class="line"></span>Signature</div>
</div>`;
  return section('summary', 'Summary', body);
}
