import test from 'ava';
import { spawnSync } from 'node:child_process';
import { AGENT_MAIN } from '../helpers/repoPaths.js';
import { startAgent, tokenFile } from '../helpers/startAgent.js';
import type { z } from 'zod';
import { AGENT_API, matchAgentRoute, type AgentRouteName } from '../../proto/agentApi.js';
import { ErrorResponse } from '../../proto/errorCodes.js';

const TOKEN = 'correct horse battery staple';

/**
 * Every answer is checked against the descriptor: a success against its route's response schema
 * and status, anything else against ErrorResponse. An answer that breaks them fails the test.
 */
async function call(url: string, path: string, init: { method?: string; token?: string | null; version?: string | null; body?: string } = {}) {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.version !== null) headers['pathprobe-contract-version'] = init.version ?? '1';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, url), { method, headers, body: init.body });
  const match = matchAgentRoute(method, new URL(path, url).pathname);
  const route = match ? AGENT_API[match.name] : null;
  const text = await response.text();
  if (route && match && response.ok) {
    if (response.status !== route.status) throw new Error(`${method} ${path} answered ${response.status}, the descriptor says ${route.status}`);
    if (route.format === 'text') {
      if (response.headers.get('content-type') !== route.contentType) throw new Error(`${method} ${path} answered ${response.headers.get('content-type')}`);
      return { status: response.status, route: match.name, body: conform(route.response, text, `${method} ${path}`) as any };
    }
    return { status: response.status, route: match.name, body: conform(route.response, JSON.parse(text), `${method} ${path}`) as any };
  }
  return { status: response.status, route: null, body: conform(ErrorResponse, JSON.parse(text), `${method} ${path} (HTTP ${response.status})`) as any };
}

function conform(schema: z.ZodType, body: unknown, what: string): unknown {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`the answer to ${what} breaks its schema: ${JSON.stringify(parsed.error.issues.slice(0, 3))}`);
  // The raw body, not parsed.data: a default filled in by the schema must not hide a missing field.
  return body;
}

test.before(async (t) => {
  const token = await tokenFile(TOKEN);
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--token-file', token.path, '--allow', '127.0.0.0/8']);
  (t.context as any).agent = agent;
  (t.context as any).token = token;
});
test.after.always(async (t) => {
  await (t.context as any).agent?.stop();
  await (t.context as any).token?.remove();
});

function agentUrl(t: { context: unknown }): string {
  return ((t.context as any).agent).url;
}

test('the agent reports its hostname, versions and NICs with their MTUs', async (t) => {
  const { status, body } = await call(agentUrl(t), '/v1/facts');
  t.is(status, 200);
  t.is(body.v, 1);
  t.truthy(body.hostname);
  t.deepEqual(body.contractVersions, [1]);
  t.regex(body.agentVersion, /^\d+\.\d+\.\d+/);
  t.true(Array.isArray(body.nics));
  for (const nic of body.nics) t.true(Number.isInteger(nic.mtuBytes) && nic.mtuBytes > 0, nic.name);
});

test('a wrong token gets 401 and the agent keeps serving', async (t) => {
  const wrong = await call(agentUrl(t), '/v1/facts', { token: 'guess' });
  t.is(wrong.status, 401);
  t.is(wrong.body.error.code, 'ERR_AUTH');
  const missing = await call(agentUrl(t), '/v1/pmtu', { method: 'POST', token: null, body: '{}' });
  t.is(missing.status, 401);
  t.is((await call(agentUrl(t), '/v1/facts')).status, 200);
});

test('a garbage request body gets a clear 400 and the agent keeps serving', async (t) => {
  const garbage = await call(agentUrl(t), '/v1/pmtu', { method: 'POST', body: '{"v":1, mode: nope' });
  t.is(garbage.status, 400);
  t.is(garbage.body.error.code, 'ERR_BAD_REQUEST');
  t.regex(garbage.body.error.message, /not valid JSON/);
  const wrongShape = await call(agentUrl(t), '/v1/pmtu', { method: 'POST', body: JSON.stringify({ v: 1, mode: 'peer', target: { address: '127.0.0.1', port: 70000, keyHex: 'x' } }) });
  t.is(wrongShape.status, 400);
  t.regex(wrongShape.body.error.message, /target\.port/);
  t.is((await call(agentUrl(t), '/v1/facts')).status, 200);
});

test('a request in an unknown contract version is refused, naming the versions the agent speaks', async (t) => {
  const header = await call(agentUrl(t), '/v1/facts', { version: '99' });
  t.is(header.status, 400);
  t.is(header.body.error.code, 'ERR_VERSION');
  t.regex(header.body.error.message, /speaks contract version 1, got contract version 99/);
  const body = await call(agentUrl(t), '/v1/pmtu', { method: 'POST', body: JSON.stringify({ v: 7, mode: 'echo', target: { address: '127.0.0.1' } }) });
  t.is(body.body.error.code, 'ERR_VERSION');
  const none = await call(agentUrl(t), '/v1/facts', { version: null });
  t.is(none.body.error.code, 'ERR_VERSION');
});

test('an echo target outside --allow is refused before any packet is sent', async (t) => {
  const refused = await call(agentUrl(t), '/v1/pmtu', { method: 'POST', body: JSON.stringify({ v: 1, mode: 'echo', target: { address: '198.18.200.1' } }) });
  t.is(refused.status, 403);
  t.is(refused.body.error.code, 'ERR_POLICY');
  t.regex(refused.body.error.message, /outside this agent's --allow list \(127\.0\.0\.0\/8\)/);
});

test('a responder can only be opened on an address of the agent itself', async (t) => {
  const refused = await call(agentUrl(t), '/v1/responders', { method: 'POST', body: JSON.stringify({ v: 1, bindAddress: '198.18.200.1' }) });
  t.is(refused.status, 403);
  const opened = await call(agentUrl(t), '/v1/responders', { method: 'POST', body: JSON.stringify({ v: 1, bindAddress: '127.0.0.1' }) });
  t.is(opened.status, 201);
  t.regex(opened.body.keyHex, /^[0-9a-f]{32}$/);
  const closed = await call(agentUrl(t), `/v1/responders/${opened.body.responderId}`, { method: 'DELETE' });
  t.is(closed.status, 200);
  const again = await call(agentUrl(t), `/v1/responders/${opened.body.responderId}`, { method: 'DELETE' });
  t.is(again.status, 404);
});

// Serial: the iperf3 servers hold the agent's single throughput slot while they run.
test.serial('every route of the descriptor answers with its declared status and schema', async (t) => {
  const url = agentUrl(t);
  const answered = new Set<AgentRouteName | null>();
  const post = async (path: string, body: unknown) => {
    const answer = await call(url, path, { method: 'POST', body: JSON.stringify(body) });
    answered.add(answer.route);
    return answer;
  };
  const other = async (path: string, init: { method?: string; version?: null } = {}) => {
    const answer = await call(url, path, init);
    answered.add(answer.route);
    return answer;
  };
  t.is((await other('/v1/facts')).status, 200);
  const health = await other('/v1/health');
  t.is(health.status, 200);
  t.true(Number.isInteger(health.body.uptimeMs));
  const responder = await post('/v1/responders', { v: 1, bindAddress: '127.0.0.1' });
  t.is(responder.status, 201);
  t.is((await other(`/v1/responders/${responder.body.responderId}`, { method: 'DELETE' })).status, 200);
  const sweep = await post('/v1/pmtu', { v: 1, mode: 'echo', target: { address: '127.0.0.1' }, maxRounds: 4 });
  t.is(sweep.status, 200);
  t.true(sweep.body.reachable);
  const servers = await post('/v1/iperf/servers', { v: 1, bindAddress: '127.0.0.1', count: 1, maxLifetimeMs: 20_000 });
  t.is(servers.status, 201);
  t.is((await other(`/v1/iperf/servers/${servers.body.sessionId}`, { method: 'DELETE' })).status, 200);
  // Nothing listens on the discard port: the run is started, and its failure is data in a 200.
  const run = await post('/v1/iperf/run', { v: 1, target: { address: '127.0.0.1', ports: [9] }, streams: 1, mssBytes: null, durationMs: 1000, omitMs: 0 });
  t.is(run.status, 200);
  t.not(run.body.processes[0].failure, null);
  const scraped = await other('/metrics', { version: null });
  t.is(scraped.status, 200);
  t.regex(scraped.body, /^pathprobe_agent_tests_total\{kind="pmtu"\} \d+$/m);
  t.deepEqual([...answered].sort(), Object.keys(AGENT_API).sort(), 'a route of the descriptor that this test does not call');
});

test.serial('iperf3 servers hold the throughput slot until stopped: a client run meanwhile is busy', async (t) => {
  const started = await call(agentUrl(t), '/v1/iperf/servers', { method: 'POST', body: JSON.stringify({ v: 1, bindAddress: '127.0.0.1', count: 1, maxLifetimeMs: 20_000 }) });
  t.is(started.status, 201);
  t.is(started.body.ports.length, 1);
  const run = await call(agentUrl(t), '/v1/iperf/run', {
    method: 'POST',
    body: JSON.stringify({ v: 1, target: { address: '127.0.0.1', ports: started.body.ports }, streams: 1, mssBytes: null, durationMs: 1000, omitMs: 0 }),
  });
  t.is(run.status, 409);
  t.is(run.body.error.code, 'ERR_BUSY');
  const stopped = await call(agentUrl(t), `/v1/iperf/servers/${started.body.sessionId}`, { method: 'DELETE' });
  t.is(stopped.status, 200);
  t.is(stopped.body.sessionId, started.body.sessionId);
  const again = await call(agentUrl(t), `/v1/iperf/servers/${started.body.sessionId}`, { method: 'DELETE' });
  t.is(again.status, 404);
});

test('an unknown endpoint is a 404 with a code, not a crash', async (t) => {
  const missing = await call(agentUrl(t), '/v2/anything');
  t.is(missing.status, 404);
  t.is(missing.body.error.code, 'ERR_NOT_FOUND');
});

function runAgent(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { PATHPROBE_TOKEN: _drop, ...rest } = process.env;
  return spawnSync(process.execPath, [AGENT_MAIN, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...rest, ...env } });
}

test('the agent refuses to start without a token or a client CA, in one line', (t) => {
  const result = runAgent(['--listen', '127.0.0.1:0']);
  t.is(result.status, 2);
  t.regex(result.stderr, /^pathprobe agent: refusing to start without authentication: give --token-file FILE or PATHPROBE_TOKEN, or --client-ca for mutual TLS/);
  t.is(result.stderr.trim().split('\n').length, 1);
});

test('a malformed --listen or --allow is one clear line and exit 2', (t) => {
  const listen = runAgent(['--listen', 'nowhere', '--insecure-no-auth']);
  t.is(listen.status, 2);
  t.regex(listen.stderr, /--listen "nowhere" is not ADDRESS:PORT/);
  const allow = runAgent(['--listen', '127.0.0.1:0', '--insecure-no-auth', '--allow', '198.18.0.0/99']);
  t.is(allow.status, 2);
  t.regex(allow.stderr, /--allow "198\.18\.0\.0\/99" is not a CIDR/);
  t.notRegex(allow.stderr, /\n\s+at /);
});

test('without auth the agent starts only with --insecure-no-auth, and says so loudly', async (t) => {
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--insecure-no-auth'], { env: { PATHPROBE_TOKEN: '' } });
  t.teardown(() => agent.stop());
  t.regex(agent.stderr(), /WARNING: --insecure-no-auth/);
  const { status } = await call(agent.url, '/v1/facts', { token: null });
  t.is(status, 200);
});
