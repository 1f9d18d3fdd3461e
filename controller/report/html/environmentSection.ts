import type { NicFacts } from '../../../proto/agentFacts.js';
import { speed } from '../../render/format.js';
import { html, type SafeHtml } from '../../render/html.js';
import { section } from '../../render/section.js';
import { addressOfCidr, canonicalAddress } from '../../../proto/ipAddress.js';
import type { RunReport } from '../../model/runReport.js';

function labels(l: Record<string, string>): SafeHtml {
  const entries = Object.entries(l);
  return entries.length ? html`${entries.map(([k, v]) => html`<span class="label">${k}=${v}</span> `)}` : html`—`;
}

function nicCells(n: NicFacts, tested: readonly string[], nicLabels: Record<string, Record<string, string>> | undefined): SafeHtml {
  const isTested = n.addresses.some((a) => tested.includes(addressOfCidr(a)));
  // A NIC's own labels (its switch, its rail) beside it: on a multi-rail host they differ per NIC.
  const own = Object.assign({}, ...n.addresses.map((a) => nicLabels?.[canonicalAddress(addressOfCidr(a))] ?? {})) as Record<string, string>;
  const ownLabels = Object.keys(own).length ? html`<br>${labels(own)}` : '';
  return html`<td><code>${n.name}</code>${isTested ? html` <span class="tag">tested</span>` : ''}${ownLabels}</td><td class="num">${n.mtuBytes}</td><td>${n.addresses.map((a, i) => html`${i ? html`<br>` : ''}<code>${a}</code>`)}</td><td>${speed(n.speedMbps)}</td><td>${n.driver ?? '—'}</td><td>${n.operState ?? '—'}</td><td><code>${n.macAddress ?? '—'}</code></td>`;
}

/** Appendix: the plan's parameters and the facts every agent reported about its host and NICs. */
export function environmentSection(report: RunReport): SafeHtml {
  const plan = report.plan;
  const testedAddresses = report.pairs.flatMap((p) => [p.pair.a.address, p.pair.b.address]);
  const rows = plan.agents.map((agent) => {
    const facts = report.facts[agent.name];
    const head = (span: number, extra: SafeHtml | string = '') => html`<th scope="row" rowspan="${span}"><span class="host">${agent.name}</span><span class="addr">${agent.url}</span>${extra}</th><td rowspan="${span}" class="labels">${labels(agent.labels)}</td>`;
    if (!facts) return html`<tr>${head(1)}<td colspan="7" class="muted">no facts recorded</td></tr>`;
    if ('error' in facts) return html`<tr>${head(1)}<td colspan="7" class="error-text">facts unavailable: ${facts.error}</td></tr>`;
    const hostFacts = html`<span class="hostfacts">host ${facts.hostname} · ${facts.cpuCount} CPUs</span><span class="hostfacts">kernel ${facts.kernel}</span><span class="hostfacts">agent ${facts.agentVersion}</span>`;
    const nics = facts.nics.length ? facts.nics : [null];
    return nics.map((n, i) => html`<tr class="${i === 0 ? 'host-first' : ''}">${i === 0 ? head(nics.length, hostFacts) : ''}${n ? nicCells(n, testedAddresses, agent.nicLabels) : html`<td colspan="7" class="muted">no NICs reported</td>`}</tr>
`);
  });
  const expect = Object.entries(plan.expect).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const body = html`<dl class="facts compact">
<div><dt>Tests</dt><dd>${plan.tests.join(', ')}</dd></div>
<div><dt>Expectations</dt><dd>${expect}</dd></div>
<div><dt>Throughput</dt><dd>streams ${plan.throughput.streams.join(', ')}; ${plan.throughput.durationMs / 1000} s × ${plan.throughput.repeats} repeats; ${plan.concurrency.throughput}</dd></div>
<div><dt>Path MTU</dt><dd>${plan.concurrency.pmtuParallel} pair sweeps at once, ${plan.pmtu?.flows ?? 1} flow${(plan.pmtu?.flows ?? 1) === 1 ? '' : 's'} per direction</dd></div>
<div><dt>Pairs</dt><dd>${(plan.pairs ?? 'all') === 'all' ? 'every endpoint with every endpoint of its family' : 'within each rail (rail label, else IP subnet)'}</dd></div>
</dl>
<div class="scroll"><table class="data env">
<thead><tr><th>Host</th><th>Labels</th><th>NIC</th><th class="num">MTU</th><th>Addresses</th><th>Speed</th><th>Driver</th><th>State</th><th>MAC</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  return section('environment', 'Appendix: environment', body, 'What each agent reported about its host when the run started.');
}
