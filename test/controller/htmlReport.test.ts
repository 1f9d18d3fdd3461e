import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { renderRunHtml } from '../../controller/report/html/renderRunHtml.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import { FIXTURES, REPO_ROOT } from '../helpers/repoPaths.js';
import type { RunReport } from '../../controller/model/runReport.js';

/** The stored fixture, typed: it must equal what the typed builder produces (so it matches RunReport). */
function loadRunFixture(name: string): RunReport {
  return JSON.parse(readFileSync(join(FIXTURES, 'runs', name), 'utf8')) as RunReport;
}

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('the rack-run fixture is exactly what the typed builder produces', (t) => {
  t.deepEqual(loadRunFixture('rack-run.json'), JSON.parse(JSON.stringify(rackRun())),
    'stale fixture: npx tsc -p . && node dist/test/fixtures/runs/writeRackRun.js');
});

test('the report opens offline in Chromium with every section, the right numbers and no errors', async (t) => {
  const report = loadRunFixture('rack-run.json');
  const dir = mkdtempSync(join(tmpdir(), 'pathprobe-html-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  writeFileSync(file, renderRunHtml(report));

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const external: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  for (const id of ['summary', 'pmtu-matrix-forward', 'pmtu-matrix-reverse', 'throughput-1500', 'throughput-jumbo', 'sweet-spot', 'findings', 'environment']) {
    t.is(await page.getByTestId(id).count(), 1, `section ${id}`);
    t.true(await page.getByTestId(id).isVisible(), `section ${id} visible`);
  }
  t.is(await page.getByTestId('overall').getAttribute('data-overall'), 'FAIL');
  t.regex(await page.getByTestId('overall').innerText(), /Root cause: switch tor-2 silently drops frames above 1518 bytes \(IP MTU 1500\)\. It explains \d+ of the other \d+ failing findings/,
    'the banner leads with the culprit, not with a count of findings');
  const pathMtu = page.locator('[data-testid="summary"] tr[data-expectation="pathMtu"]');
  t.is(await pathMtu.getAttribute('data-pass'), 'false');
  t.regex(await pathMtu.innerText(), /FAIL[\s\S]*h7 \(198\.18\.1\.17\) → h1 \(198\.18\.1\.11\): path MTU 1500/);

  // Forward path MTU: h7's row is 1500 (silent drop) in every cell, every other measured cell is 9000.
  const cells = (agent: string) => page.locator(`[data-testid="pmtu-matrix-forward"] tr[data-row="${agent}"] td.cell:not(.self) .mtu`).allInnerTexts();
  t.deepEqual(await cells('h7'), Array(6).fill('1500'));
  const h7Verdicts = await page.locator('[data-testid="pmtu-matrix-forward"] tr[data-row="h7"] td.cell:not(.self)').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-verdict')));
  t.deepEqual(h7Verdicts, Array(6).fill('silent-drop'));
  for (const agent of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6']) {
    t.deepEqual(await cells(agent), [...Array(5).fill('9000'), '1500'], `row ${agent}`);
  }
  t.true((await page.locator('[data-testid="pmtu-matrix-forward"] tr[data-row="h7"] td.cell').first().getAttribute('title'))!.includes('silent drop'));

  // The jumbo-stalled pair is marked, in the matrix and in the charts.
  t.is(await page.locator('[data-testid="throughput-jumbo"] td[data-stalled="true"]').count(), 2);
  t.regex(await page.getByTestId('throughput-jumbo').innerText(), /STALLED/);
  t.true(await page.locator('[data-testid="sweet-spot"] svg.chart').count() >= 8);

  const findings = await page.getByTestId('findings').innerText();
  t.regex(findings, /tor-2/);
  t.regex(findings, /switch=tor-2/);
  t.true(await page.locator('[data-testid="findings"] pre code').count() > 0);

  // A label with markup characters is shown literally, not interpreted.
  t.regex(await page.getByTestId('environment').innerText(), /note=PSU B <b>&" replaced/);
  t.is(await page.locator('[data-testid="environment"] b').count(), 0);

  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'report.png'), fullPage: true });

  t.deepEqual(external, [], 'no request left the file');
  t.deepEqual(consoleErrors, [], 'no console errors');
});

test('a path-MTU-only run leaves out the throughput sections it has nothing for', (t) => {
  const report = loadRunFixture('rack-run.json');
  const pmtuOnly = { ...report, plan: { ...report.plan, tests: ['pmtu' as const] } };
  const markup = renderRunHtml(pmtuOnly);
  t.true(markup.includes('data-testid="pmtu-matrix-forward"'));
  for (const id of ['throughput-1500', 'throughput-jumbo', 'sweet-spot']) t.false(markup.includes(`data-testid="${id}"`), id);
  t.true(renderRunHtml(report).includes('data-testid="throughput-jumbo"'), 'a run with throughput keeps them');
});
