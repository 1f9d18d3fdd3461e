import test from 'ava';
import { spawnSync } from 'node:child_process';
import { AGENT_MAIN } from '../helpers/repoPaths.js';
import { startAgent, tokenFile } from '../helpers/startAgent.js';

const TOKEN = 'correct horse battery staple';

async function call(url: string, path: string, init: { method?: string; token?: string | null; version?: string | null; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.version !== null) headers['pathprobe-contract-version'] = init.version ?? '1';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, url), { method: init.method ?? 'GET', headers, body: init.body });
  return { status: response.status, body: await response.json() as any };
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

test('an unknown endpoint is a 404 with a code, not a crash', async (t) => {
  const missing = await call(agentUrl(t), '/v2/anything');
  t.is(missing.status, 404);
  t.is(missing.body.error.code, 'ERR_NOT_FOUND');
});

function runAgent(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { PATHPROBE_TOKEN: _drop, ...rest } = process.env;
  return spawnSync(process.execPath, [AGENT_MAIN, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...rest, ...env } });
}

test('the agent refuses to start without a token, in one line', (t) => {
  const result = runAgent(['--listen', '127.0.0.1:0']);
  t.is(result.status, 2);
  t.regex(result.stderr, /^pathprobe agent: refusing to start without a token/);
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
