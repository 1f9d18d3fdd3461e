import test from 'ava';
import { startAgent, tokenFile } from '../helpers/startAgent.js';

const TOKEN = 'agent metrics token';

async function call(url: string, path: string, init: { method?: string; body?: unknown; token?: string | null; version?: boolean } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.version !== false) headers['pathprobe-contract-version'] = '1';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, url), { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

function counter(text: string, name: string, labels = ''): number {
  const escaped = `${name}${labels}`.replace(/[{}"]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`no ${name}${labels} in:\n${text}`);
  return Number(match[1]);
}

test('agent /metrics counts tests, failures and busy refusals, with the bearer token and no contract header', async (t) => {
  const token = await tokenFile(TOKEN);
  t.teardown(() => token.remove());
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--token-file', token.path, '--allow', '127.0.0.0/8']);
  t.teardown(() => agent.stop());

  // A scraper sends the token but no contract-version header.
  const before = await call(agent.url, '/metrics', { version: false });
  t.is(before.status, 200);
  t.regex(before.type, /^text\/plain/);
  t.is(counter(before.text, 'pathprobe_agent_tests_total', '{kind="throughput"}'), 0);
  t.is(counter(before.text, 'pathprobe_agent_failures_total', '{kind="throughput"}'), 0);
  t.is(counter(before.text, 'pathprobe_agent_busy_refusals_total'), 0);

  // iperf3 servers hold the throughput slot: a client run now is refused as busy.
  const servers = await call(agent.url, '/v1/iperf/servers', { method: 'POST', body: { v: 1, bindAddress: '127.0.0.1', count: 1, maxLifetimeMs: 10_000 } });
  t.is(servers.status, 201, servers.text);
  const { sessionId, ports } = JSON.parse(servers.text) as { sessionId: string; ports: number[] };
  const run = { v: 1, target: { address: '127.0.0.1', ports }, streams: 1, mssBytes: null, durationMs: 1000, omitMs: 0 };
  const refused = await call(agent.url, '/v1/iperf/run', { method: 'POST', body: run });
  t.is(refused.status, 409, refused.text);
  t.is((await call(agent.url, `/v1/iperf/servers/${sessionId}`, { method: 'DELETE' })).status, 200);

  // The servers are gone: the client run is started, and fails (connection refused).
  const failed = await call(agent.url, '/v1/iperf/run', { method: 'POST', body: run });
  t.is(failed.status, 200, failed.text);
  t.not((JSON.parse(failed.text) as { processes: Array<{ failure: unknown }> }).processes[0]!.failure, null);

  const after = await call(agent.url, '/metrics', { version: false });
  t.is(after.status, 200);
  t.is(counter(after.text, 'pathprobe_agent_tests_total', '{kind="throughput"}'), 1);
  t.is(counter(after.text, 'pathprobe_agent_failures_total', '{kind="throughput"}'), 1);
  t.is(counter(after.text, 'pathprobe_agent_busy_refusals_total'), 1);
  t.is(counter(after.text, 'pathprobe_agent_tests_total', '{kind="pmtu"}'), 0);

  // Same bearer auth as the rest of the API.
  const anonymous = await call(agent.url, '/metrics', { token: null, version: false });
  t.is(anonymous.status, 401);
  t.is((await call(agent.url, '/metrics', { token: 'guess', version: false })).status, 401);
  t.notRegex(anonymous.text, /pathprobe_agent/);
  // Other routes still need the contract-version header.
  t.is((await call(agent.url, '/v1/facts', { version: false })).status, 400);
});
