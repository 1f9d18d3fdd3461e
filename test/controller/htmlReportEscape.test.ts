import test from 'ava';
import { escapeHtml } from '../../controller/render/escapeHtml.js';
import { renderRunHtml } from '../../controller/report/html/renderRunHtml.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import type { RunReport } from '../../controller/model/runReport.js';

const EVIL = '<script>alert(1)</script>';

/** Fields whose strings are enums the renderer switches on: everything else is free text and gets poisoned. */
const ENUM_KEYS = new Set(['schema', 'status', 'verdict', 'kind', 'severity', 'direction', 'row', 'mode', 'basis', 'skipped', 'class', 'outcome', 'tests', 'throughput', 'reason']);
/** Records keyed by names: their keys are report strings too. */
const NAMED_KEYS = new Set(['facts', 'labels']);

/** Every free-text string of the report (names, labels, addresses, messages), with markup appended. */
function poison(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return ENUM_KEYS.has(key) ? value : `${value}${EVIL}`;
  if (Array.isArray(value)) return value.map((v) => poison(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [NAMED_KEYS.has(key) ? `${k}${EVIL}` : k, poison(v, k)]));
  }
  return value;
}

test('escapeHtml escapes every markup character', (t) => {
  t.is(escapeHtml(`<b>&"'x`), '&lt;b&gt;&amp;&quot;&#39;x');
});

test('no string from the report reaches the HTML unescaped', (t) => {
  const report = rackRun();
  // Names and labels where they are used as-is, and every other string of the report too.
  const named: RunReport = {
    ...report,
    plan: { ...report.plan, agents: report.plan.agents.map((a) => ({ ...a, name: `${a.name}${EVIL}`, labels: { ...a.labels, [EVIL]: EVIL } })) },
  };
  for (const input of [named, poison(report) as RunReport]) {
    const out = renderRunHtml(input);
    t.false(out.includes('<script'), 'no script element');
    t.false(/<script>alert/i.test(out));
    t.true(out.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  }
});

test('the document is self-contained: no external URL, no script', (t) => {
  const out = renderRunHtml(rackRun());
  t.false(/\b(?:src|href)="(?!#)/.test(out), 'only in-page links');
  t.false(/url\(|@import|https?:\/\/(?!198\.19\.)/.test(out.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')));
  t.false(out.includes('<script'));
});
