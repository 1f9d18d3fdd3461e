import test from 'ava';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createAgentMetrics } from '../../agent/metrics/agentMetrics.js';
import { createServeMetrics } from '../../controller/serve/serveMetrics.js';
import { run } from '../../scripts/lab/run.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import {
  ALERTS_FILE, KNOWN_LINT, PROMETHEUS_CONFIG_FILE, alertRules, boolForm, dashboard, dashboardQueries, dashboardVariableQueries,
} from '../helpers/deployQueries.js';

/*
 * The shipped Prometheus and Grafana files (docs/deploy/), checked with Debian's promtool:
 * syntax, every alert's behaviour on synthetic series (`promtool test rules`), the example
 * configuration, and the lint of the metrics they read. test/lab/prometheusScrape.test.ts runs
 * them against a real Prometheus scraping a real serve and agents.
 */

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-promtool-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function promtool(args: string[], input?: string) {
  return run(['promtool', ...args], { timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });
}

test('promtool check rules accepts the alert rules', async (t) => {
  const result = await promtool(['check', 'rules', ALERTS_FILE]);
  t.is(result.exitCode, 0, result.stdout + result.stderr);
  t.regex(result.stdout, new RegExp(`SUCCESS: ${alertRules().length} rules found`));
});

test('every alert is one comparison with a severity, a summary and a description', (t) => {
  const rules = alertRules();
  t.true(rules.length >= 4);
  for (const rule of rules) {
    t.notThrows(() => boolForm(rule.expr), rule.alert);
    t.true(['critical', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity`);
    t.truthy(rule.annotations?.summary, `${rule.alert}: summary`);
    t.truthy(rule.annotations?.description, `${rule.alert}: description`);
  }
});

test('boolForm turns the one top-level comparison into a bool comparison, and refuses anything else', (t) => {
  t.is(boolForm('a < on(job) group_left() b'), 'a < bool on(job) group_left() b');
  t.is(boolForm('time() - ((a > b) or b) > c + d'), 'time() - ((a > b) or b) > bool c + d');
  t.is(boolForm('sum by (x) (m{verdict!="ok", y=~"a|b"}) > 0'), 'sum by (x) (m{verdict!="ok", y=~"a|b"}) > bool 0');
  t.throws(() => boolForm('rate(m[5m])'), { message: /found 0/ });
  t.throws(() => boolForm('a > 1 and b < 2'), { message: /found 2/ });
  t.throws(() => boolForm('a > bool 1'), { message: /already a bool/ });
});

const SERVE = { job: 'pathprobe-serve', instance: 'ctl:9420' };
const PAIR = 'h1/198.18.1.1~h2/198.18.1.2';

function series(name: string, labels: Record<string, string>, values: string) {
  const text = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  return { series: `${name}{${text}}`, values };
}

/** One promtool unit test per alert: the bad state fires it (labels and rendered annotations), a good one does not. */
const ALERT_CASES = [
  {
    name: 'PathprobePathMtuBelowExpected',
    input_series: [
      series('pathprobe_path_mtu_bytes', { ...SERVE, pair: PAIR, direction: 'forward' }, '1500x10'),
      series('pathprobe_path_mtu_bytes', { ...SERVE, pair: PAIR, direction: 'reverse' }, '9000x10'),
      series('pathprobe_expected_path_mtu_bytes', SERVE, '9000x10'),
      // A serve whose plan expects nothing: no alert, whatever its path MTUs.
      series('pathprobe_path_mtu_bytes', { job: 'pathprobe-serve', instance: 'other:9420', pair: PAIR, direction: 'forward' }, '1500x10'),
    ],
    alert_rule_test: [{
      eval_time: '5m',
      alertname: 'PathprobePathMtuBelowExpected',
      exp_alerts: [{
        exp_labels: { severity: 'critical', ...SERVE, pair: PAIR, direction: 'forward' },
        exp_annotations: {
          summary: `Path MTU 1500 on ${PAIR} (forward) is below the plan's expectation`,
          description: `The last run of ctl:9420 proved only 1500 bytes from ${PAIR} (forward). See \`pathprobe runs\` and \`pathprobe report RUN_ID\` for the verdict and the culprit.`,
        },
      }],
    }],
  },
  {
    name: 'PathprobeRegressed',
    input_series: [series('pathprobe_last_run_regressed', SERVE, '0 0 1 1 1')],
    alert_rule_test: [
      { eval_time: '1m', alertname: 'PathprobeRegressed', exp_alerts: [] },
      {
        eval_time: '3m',
        alertname: 'PathprobeRegressed',
        exp_alerts: [{
          exp_labels: { severity: 'critical', ...SERVE },
          exp_annotations: {
            summary: 'The last pathprobe run regressed against its baseline',
            description: 'The last finished run of ctl:9420 is worse than the baseline of its plan: serve\'s log names both runs, and `pathprobe diff BASELINE_ID RUN_ID` shows what changed.',
          },
        }],
      },
    ],
  },
  {
    name: 'PathprobeRunFailed',
    input_series: [
      series('pathprobe_last_run_result', { ...SERVE, result: 'ok' }, '1 0 0'),
      series('pathprobe_last_run_result', { ...SERVE, result: 'error' }, '0 1 1'),
      series('pathprobe_last_run_result', { ...SERVE, result: 'incomplete' }, '0 0 0'),
    ],
    alert_rule_test: [
      { eval_time: '0m', alertname: 'PathprobeRunFailed', exp_alerts: [] },
      {
        eval_time: '2m',
        alertname: 'PathprobeRunFailed',
        exp_alerts: [{
          exp_labels: { severity: 'warning', ...SERVE, result: 'error' },
          exp_annotations: {
            summary: 'The last pathprobe run ended error',
            description: 'The last run of ctl:9420 ended error: some directions were not measured (an agent down or refusing, a store error). `pathprobe runs` and serve\'s log say which.',
          },
        }],
      },
    ],
  },
  {
    // Interval 60 s, no jitter, runs of 10 s: stale 70 s after the later of the last success and
    // serve's start, firing 10 minutes after that.
    name: 'PathprobeRunStale',
    input_series: ['a:9420', 'never:9420', 'restarted:9420'].flatMap((instance) => {
      const labels = { job: 'pathprobe-serve', instance };
      return [
        series('pathprobe_schedule_interval_seconds', labels, '60x30'),
        series('pathprobe_schedule_jitter_seconds', labels, '0x30'),
        series('pathprobe_run_duration_seconds', labels, '10x30'),
        // a: succeeded at 30 s, then never again. never: no success since its start at 0.
        // restarted: serve started at 700 s, no success since.
        series('pathprobe_serve_start_timestamp_seconds', labels, instance === 'restarted:9420' ? '700x30' : '0x30'),
        series('pathprobe_last_success_timestamp_seconds', labels, instance === 'a:9420' ? '30x30' : '0x30'),
      ];
    }),
    alert_rule_test: [
      // Stale from the 2 m evaluation on (a: 120 - 30 > 70; never: 120 > 70), firing 10 m later.
      { eval_time: '11m', alertname: 'PathprobeRunStale', exp_alerts: [] },
      {
        eval_time: '12m',
        alertname: 'PathprobeRunStale',
        exp_alerts: [['a:9420', '11m 30s'], ['never:9420', '12m 0s']].map(([instance, age]) => ({
          exp_labels: { severity: 'warning', job: 'pathprobe-serve', instance },
          exp_annotations: {
            summary: 'No successful pathprobe run on schedule',
            description: `${instance} has had no run that measured everything for ${age}, longer than its schedule allows: runs fail, hang (starts are then skipped) or do not start.`,
          },
        })),
      },
    ],
  },
  {
    name: 'PathprobePathFindings',
    input_series: [
      series('pathprobe_verdicts', { ...SERVE, verdict: 'ok' }, '2x5'),
      series('pathprobe_verdicts', { ...SERVE, verdict: 'silent-drop' }, '1x5'),
      series('pathprobe_verdicts', { ...SERVE, verdict: 'error' }, '0x5'),
      series('pathprobe_verdicts', { job: 'pathprobe-serve', instance: 'clean:9420', verdict: 'ok' }, '4x5'),
      series('pathprobe_verdicts', { job: 'pathprobe-serve', instance: 'clean:9420', verdict: 'silent-drop' }, '0x5'),
    ],
    alert_rule_test: [{
      eval_time: '2m',
      alertname: 'PathprobePathFindings',
      exp_alerts: [{
        exp_labels: { severity: 'warning', ...SERVE },
        exp_annotations: {
          summary: '1 directions of the last pathprobe run have a verdict other than ok',
          description: 'The last finished run of ctl:9420 found 1 directions with a path-MTU verdict other than ok (mtu-mismatch, frag-needed, silent-drop, unreachable or error).',
        },
      }],
    }],
  },
  {
    name: 'PathprobeAgentTestsFailing',
    input_series: [
      series('pathprobe_agent_failures_total', { job: 'pathprobe-agents', instance: '198.19.0.1:7420', kind: 'pmtu' }, '0 0 1 1 1'),
      series('pathprobe_agent_failures_total', { job: 'pathprobe-agents', instance: '198.19.0.1:7420', kind: 'throughput' }, '0x4'),
    ],
    alert_rule_test: [
      { eval_time: '1m', alertname: 'PathprobeAgentTestsFailing', exp_alerts: [] },
      {
        eval_time: '4m',
        alertname: 'PathprobeAgentTestsFailing',
        exp_alerts: [{
          exp_labels: { severity: 'warning', job: 'pathprobe-agents', instance: '198.19.0.1:7420', kind: 'pmtu' },
          exp_annotations: {
            summary: 'Agent 198.19.0.1:7420 had pmtu tests that produced no measurement',
            description: 'Agent 198.19.0.1:7420: about 1 pmtu tests failed in the last hour (a sweep that threw, an iperf3 failure). Its log says why.',
          },
        }],
      },
    ],
  },
  {
    name: 'PathprobeTargetDown',
    input_series: [
      series('up', { job: 'pathprobe-agents', instance: '198.19.0.2:7420' }, '0x10'),
      series('up', { job: 'pathprobe-serve', instance: 'ctl:9420' }, '1x10'),
      series('up', { job: 'node', instance: 'ctl:9100' }, '0x10'),
    ],
    alert_rule_test: [
      { eval_time: '3m', alertname: 'PathprobeTargetDown', exp_alerts: [] },
      {
        eval_time: '6m',
        alertname: 'PathprobeTargetDown',
        exp_alerts: [{
          exp_labels: { severity: 'critical', job: 'pathprobe-agents', instance: '198.19.0.2:7420' },
          exp_annotations: {
            summary: 'pathprobe-agents target 198.19.0.2:7420 is down',
            description: 'Prometheus cannot scrape 198.19.0.2:7420 (pathprobe-agents): the process is down, its port is unreachable, or the token / TLS settings do not match.',
          },
        }],
      },
    ],
  },
];

test('promtool test rules: each alert fires in its bad state, with its labels and rendered annotations, and not in a good one', async (t) => {
  t.deepEqual(ALERT_CASES.map((c) => c.name).sort(), alertRules().map((r) => r.alert).sort(), 'one case per alert of the file');
  const dir = await tempDir(t);
  const testFile = join(dir, 'alerts.test.yml');
  await writeFile(testFile, stringify({ rule_files: [ALERTS_FILE], evaluation_interval: '1m', tests: ALERT_CASES.map(({ name, ...rest }) => ({ name, interval: '1m', ...rest })) }));
  const result = await promtool(['test', 'rules', testFile]);
  t.is(result.exitCode, 0, result.stdout + result.stderr);
  t.regex(result.stdout, /SUCCESS/);
});

test('promtool check config accepts the example prometheus.yml, with its token and certificate files in place', async (t) => {
  const dir = await tempDir(t);
  const text = await readFile(PROMETHEUS_CONFIG_FILE, 'utf8');
  const files = [...new Set(text.match(/\/etc\/prometheus\/pathprobe\/[\w.-]+/g) ?? [])];
  t.deepEqual(files.map((f) => f.split('/').pop()).sort(), ['ca.pem', 'prometheus-key.pem', 'prometheus.pem', 'token']);
  for (const file of files) await writeFile(join(dir, file.split('/').pop()!), '');
  await writeFile(join(dir, 'prometheus.yml'), text.replaceAll('/etc/prometheus/pathprobe/', `${dir}/`));
  await copyFile(ALERTS_FILE, join(dir, 'pathprobe-alerts.yml'));
  const result = await promtool(['check', 'config', join(dir, 'prometheus.yml')]);
  t.is(result.exitCode, 0, result.stdout + result.stderr);
  t.regex(result.stdout, /is valid prometheus config file syntax/);
  t.regex(result.stdout, new RegExp(`SUCCESS: ${alertRules().length} rules found`));
});

test('every dashboard query parses as PromQL, and every panel reads the dashboard\'s Prometheus variable', async (t) => {
  const queries = dashboardQueries({ rateInterval: '5m', range: '1h' });
  t.true(queries.length >= 10);
  for (const q of queries) t.notRegex(q.expr, /\$/, `${q.panel}: a variable left unsubstituted`);
  const board = dashboard() as unknown as { panels: Array<{ title: string; datasource?: { uid?: string }; targets?: unknown[] }> };
  for (const panel of board.panels) {
    t.is(panel.datasource?.uid, '${datasource}', panel.title);
    t.true((panel.targets?.length ?? 0) > 0, `${panel.title}: no query`);
  }
  t.deepEqual(dashboardVariableQueries().map((v) => v.variable), ['pair']);
  // promtool parses PromQL only in rule files: each query becomes a recording rule.
  const dir = await tempDir(t);
  const rulesFile = join(dir, 'dashboard-queries.yml');
  await writeFile(rulesFile, stringify({ groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr })) }] }));
  const result = await promtool(['check', 'rules', rulesFile]);
  t.is(result.exitCode, 0, result.stdout + result.stderr);
});

test('promtool check metrics finds nothing to lint in serve\'s metrics with every series, nor in an agent\'s, but the bits of throughput', async (t) => {
  const fixture = rackRun();
  const serve = createServeMetrics();
  serve.recordPlan(fixture.plan);
  serve.recordSchedule({ intervalSeconds: 86_400, jitterSeconds: 30, nextRunMs: () => Date.now() + 60_000 });
  serve.recordReport(fixture, fixture.plan);
  serve.recordRunEnd('findings', 12.5);
  serve.recordRegressed(false);
  const serveText = await serve.registry.metrics();
  t.regex(serveText, /^pathprobe_throughput_bits_per_second\{/m, 'the fixture has throughput series');
  t.regex(serveText, /^pathprobe_expected_path_mtu_bytes 9000$/m);
  const agent = createAgentMetrics();
  agent.testStarted('pmtu');
  agent.testFailed('throughput');
  agent.busyRefused();
  for (const [name, text] of [['serve', serveText], ['agent', (await agent.render()).text]] as const) {
    const result = await promtool(['check', 'metrics'], text);
    const findings = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() && !KNOWN_LINT.includes(line.trim()));
    t.deepEqual(findings, [], `${name}: lint`);
    if (findings.length === 0) t.true(result.exitCode === 0 || result.exitCode === 3, `${name}: exit ${result.exitCode}`);
  }
});
