import test, { type ExecutionContext } from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cleanPath } from '../../scripts/lab/topologies.js';
import type { Lab } from '../../scripts/lab/lab.js';
import { run, type StartedProcess } from '../../scripts/lab/run.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { CLI_MAIN } from '../helpers/repoPaths.js';
import { ALERTS_FILE, KNOWN_LINT, alertRules, boolForm, dashboardQueries, dashboardVariableQueries } from '../helpers/deployQueries.js';

/*
 * The shipped alert rules and dashboard against a real Prometheus (Debian's) scraping a real
 * `pathprobe serve` that runs a plan on a short cron against real agents, all in the lab's
 * controller namespace (the root namespace never reaches the management net).
 *
 * An alert expression returns data only in a bad state, and this lab is healthy: each is evaluated
 * in its bool form (`LEFT op bool RIGHT`, test/helpers/deployQueries.ts), which returns 0 or 1
 * for every series both sides have, so it proves the inputs exist and their labels match.
 */

/** Prometheus's port inside the controller namespace, which is this test's own: nothing else listens there. */
const PROMETHEUS_PORT = 9090;
/** How long the test waits for a run to be scraped and every query to answer; polled, never asserted on. */
const WAIT_MS = 150_000;

interface Fetched { status: number; body: string }

/**
 * GETs each URL from inside the controller namespace (one node process for all of them): the
 * test's own namespace has no route to the management net.
 */
async function fetchInCtl(lab: Lab, requests: Array<{ url: string; token?: string }>): Promise<Fetched[]> {
  const script = `
    const requests = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    Promise.all(requests.map(async ({ url, token }) => {
      try {
        const response = await fetch(url, { headers: token ? { authorization: 'Bearer ' + token } : {}, signal: AbortSignal.timeout(10000) });
        return { status: response.status, body: await response.text() };
      } catch (error) {
        return { status: 0, body: String(error.cause ?? error) };
      }
    })).then((results) => process.stdout.write(JSON.stringify(results)));`;
  const result = await lab.exec('ctl', [process.execPath, '-e', script], { input: JSON.stringify(requests), timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new Error(`fetch in ctl: exit ${result.exitCode}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Fetched[];
}

interface QueryAnswer { status: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string }

async function queryAll(lab: Lab, exprs: readonly string[]): Promise<QueryAnswer[]> {
  const base = `http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/query?query=`;
  const answers = await fetchInCtl(lab, exprs.map((expr) => ({ url: base + encodeURIComponent(expr) })));
  return answers.map((a) => (a.status === 0 ? { status: 'unreachable', error: a.body } : JSON.parse(a.body) as QueryAnswer));
}

const hasData = (answer: QueryAnswer): boolean => answer.status === 'success' && (answer.data?.result.length ?? 0) > 0;

/** Resolves with the first match of `pattern` in the process's stderr; rejects if it exits first. */
function stderrMatch(name: string, child: StartedProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
    void child.result.then((r) => reject(new Error(`${name} exited with ${r.exitCode ?? r.signal}: ${text.trim()}`)));
  });
}

async function waitFor(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return false;
}

async function lint(t: ExecutionContext, name: string, text: string): Promise<void> {
  const result = await run(['promtool', 'check', 'metrics'], { input: text, timeoutMs: 30_000 });
  const findings = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() && !KNOWN_LINT.includes(line.trim()));
  t.deepEqual(findings, [], `promtool check metrics on ${name}`);
}

test.serial('a real Prometheus scraping serve and the agents in the lab: every dashboard query and every alert returns data, every rule evaluates cleanly', async (t) => {
  t.timeout(WAIT_MS + 90_000, 'a lab, a scheduled run with throughput, Prometheus scraping it');
  const startedMs = Date.now();
  const { lab, agents } = await labWithAgents(t, cleanPath());
  t.log(`lab and agents up after ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-prometheus-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const planPath = join(dir, 'plan.yaml');
  await writeFile(planPath, [
    `tokenFile: ${agents.tokenFile}`,
    'agents:',
    ...['h1', 'h2'].map((name) => `  - { name: ${name}, url: "${agents.urls[name]}", addresses: [${lab.hosts[name]!.v4}] }`),
    'expect: { pathMtu: 9000 }',
    'tests: [pmtu, throughput]',
    'throughput: { streams: [1], duration: 1s, repeats: 1 }',
    'pmtu: { flows: 1 }',
  ].join('\n') + '\n');
  // Every 5 s: the first run starts at once; later starts wait for it (and are counted as skipped).
  const serve = lab.spawn('ctl', [process.execPath, CLI_MAIN, 'serve', '--plan', planPath, '--cron', '*/5 * * * * *',
    '--metrics', '127.0.0.1:0', '--jitter', '0', '--db', join(dir, 'serve.sqlite')]);
  t.teardown(() => serve.stop());
  let serveLog = '';
  serve.stderr!.on('data', (chunk: string) => { serveLog += chunk; });
  const serveMetricsUrl = (await stderrMatch('serve', serve, /metrics on (http:\/\/\S+)/))[1]!;

  const agentTargets = ['h1', 'h2'].map((name) => new URL(agents.urls[name]!).host);
  await writeFile(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [ALERTS_FILE],
    scrape_configs: [
      { job_name: 'pathprobe-serve', static_configs: [{ targets: [new URL(serveMetricsUrl).host] }] },
      {
        job_name: 'pathprobe-agents',
        authorization: { type: 'Bearer', credentials_file: agents.tokenFile },
        static_configs: [{ targets: agentTargets }],
      },
    ],
  }));
  const prometheus = lab.spawn('ctl', ['prometheus', `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`, '--log.level=warn']);
  t.teardown(() => prometheus.stop());

  const rules = alertRules();
  const queries = [
    ...dashboardQueries({ rateInterval: '1m', range: '5m' }).map((q) => ({ what: `dashboard "${q.panel}"`, expr: q.expr })),
    ...rules.map((rule) => ({ what: `alert ${rule.alert} (bool form)`, expr: boolForm(rule.expr) })),
  ];
  let answers: QueryAnswer[] = [];
  const ready = await waitFor(async () => {
    if (!prometheus.running()) return true;
    answers = await queryAll(lab, queries.map((q) => q.expr));
    return answers.every(hasData);
  });
  t.log(`every query answered after ${((Date.now() - startedMs) / 1000).toFixed(1)} s; ${serveLog.match(/run \S+ done in [\d.]+ s/g)?.join(', ') ?? 'no run done'}`);
  if (!prometheus.running()) t.fail(`prometheus exited: ${(await prometheus.result).stderr.trim()}`);
  t.true(ready, `not every query answered within ${WAIT_MS / 1000} s`);
  queries.forEach((q, i) => {
    const answer = answers[i]!;
    t.true(hasData(answer), `${q.what}: ${q.expr} → ${answer.status} ${answer.error ?? 'no data'}`);
  });

  // The healthy lab: 9000 everywhere, as the plan expects; the path-MTU alert would not fire.
  const [mtu, below, regressed] = await queryAll(lab, [
    'pathprobe_path_mtu_bytes', boolForm(rules.find((r) => r.alert === 'PathprobePathMtuBelowExpected')!.expr), 'pathprobe_last_run_regressed',
  ]);
  t.deepEqual(mtu!.data?.result.map((r) => [r.metric.direction, r.value[1]]).sort(), [['forward', '9000'], ['reverse', '9000']]);
  t.deepEqual(below!.data?.result.map((r) => r.value[1]), ['0', '0']);
  t.deepEqual(regressed!.data?.result.map((r) => r.value[1]), ['0']);

  // The dashboard's pair variable lists the plan's one pair.
  for (const variable of dashboardVariableQueries()) {
    const [answer] = await fetchInCtl(lab, [{ url: `http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/label/${variable.label}/values?match[]=${encodeURIComponent(variable.metric)}` }]);
    t.is((JSON.parse(answer!.body) as { data: string[] }).data.length, 1, `variable ${variable.variable}: ${answer!.body}`);
  }

  // Prometheus loaded every rule and evaluates each without an error (no many-to-many match, say).
  const [rulesAnswer] = await fetchInCtl(lab, [{ url: `http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/rules` }]);
  const loaded = (JSON.parse(rulesAnswer!.body) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; state: string }> }> } })
    .data.groups.flatMap((g) => g.rules);
  t.deepEqual(loaded.map((r) => r.name).sort(), rules.map((r) => r.alert).sort());
  for (const rule of loaded) {
    t.is(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? ''}`);
    t.log(`${rule.name}: ${rule.state}`);
  }

  // Both endpoints, as Prometheus scraped them, pass promtool's lint.
  const token = (await readFile(agents.tokenFile, 'utf8')).trim();
  const [serveText, agentText] = await fetchInCtl(lab, [{ url: serveMetricsUrl }, { url: `${agents.urls.h1}/metrics`, token }]);
  t.is(serveText!.status, 200);
  t.is(agentText!.status, 200);
  t.regex(agentText!.body, /^pathprobe_agent_tests_total\{kind="pmtu"\} [1-9]/m, 'the agent ran the scheduled sweeps');
  await lint(t, 'serve', serveText!.body);
  await lint(t, 'the agent on h1', agentText!.body);
});
