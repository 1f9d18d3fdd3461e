import test from 'ava';
import type { AddressInfo } from 'node:net';
import { createAgentServer } from '../../agent/server/createAgentServer.js';
import { createProbePolicy } from '../../agent/server/probePolicy.js';
import { ErrorResponse, PathprobeError } from '../../proto/errorCodes.js';

const TOKEN = 'in-process token';

/** An agent server in this process on a free port, with facts that fail as the test says. */
async function serve(t: { teardown(fn: () => unknown): void }, facts: () => Promise<never>) {
  const logged: string[] = [];
  const agent = createAgentServer({ token: TOKEN, policy: createProbePolicy([], ['127.0.0.0/8']), facts, log: (line) => logged.push(line) });
  await new Promise<void>((resolve) => agent.server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => agent.close());
  return { url: `http://127.0.0.1:${(agent.server.address() as AddressInfo).port}`, logged };
}

async function call(url: string, path: string, init: { method?: string; token?: string | null; version?: string | null; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.version !== null) headers['pathprobe-contract-version'] = init.version ?? '1';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, url), { method: init.method ?? 'GET', headers, body: init.body });
  return { status: response.status, body: ErrorResponse.parse(await response.json()) };
}

test('a controller-local code raised inside the agent crosses the wire as ERR_INTERNAL, and is logged', async (t) => {
  const { url, logged } = await serve(t, async () => { throw new PathprobeError('ERR_AGENT_UNREACHABLE', 'sysfs went away'); });
  const answer = await call(url, '/v1/facts');
  t.is(answer.status, 500);
  t.is(answer.body.error.code, 'ERR_INTERNAL');
  t.is(answer.body.error.message, 'sysfs went away');
  t.is(logged.length, 1);
  t.regex(logged[0]!, /GET \/v1\/facts: ERR_AGENT_UNREACHABLE: sysfs went away/);
});

test('a plain exception inside the agent is ERR_INTERNAL with its message, and is logged', async (t) => {
  const { url, logged } = await serve(t, async () => { throw new TypeError('cannot read nics'); });
  const answer = await call(url, '/v1/facts');
  t.is(answer.status, 500);
  t.is(answer.body.error.code, 'ERR_INTERNAL');
  t.is(answer.body.error.message, 'cannot read nics');
  t.is(logged.length, 1);
});

test('a wire code raised inside the agent keeps its code and status, unlogged', async (t) => {
  const { url, logged } = await serve(t, async () => { throw new PathprobeError('ERR_BUSY', 'still reading'); });
  const answer = await call(url, '/v1/facts');
  t.is(answer.status, 409);
  t.is(answer.body.error.code, 'ERR_BUSY');
  t.deepEqual(logged, []);
});

test('checks run in order: auth, contract version, route, body schema, policy', async (t) => {
  const { url } = await serve(t, async () => { throw new Error('not called'); });
  const outside = JSON.stringify({ v: 1, mode: 'echo', target: { address: '198.18.200.1' } });
  t.is((await call(url, '/v2/nowhere', { method: 'POST', token: 'guess', version: '99', body: '{' })).body.error.code, 'ERR_AUTH');
  t.is((await call(url, '/v2/nowhere', { method: 'POST', version: '99', body: '{' })).body.error.code, 'ERR_VERSION');
  t.is((await call(url, '/v2/nowhere', { method: 'POST', body: '{' })).body.error.code, 'ERR_NOT_FOUND');
  t.is((await call(url, '/v1/pmtu', { method: 'GET' })).body.error.code, 'ERR_NOT_FOUND', 'a known path with the wrong method is no route');
  t.is((await call(url, '/v1/pmtu', { method: 'POST', body: JSON.stringify({ v: 1, mode: 'echo' }) })).body.error.code, 'ERR_BAD_REQUEST');
  t.is((await call(url, '/v1/pmtu', { method: 'POST', body: outside })).body.error.code, 'ERR_POLICY');
});

test('an id that the agent could not have handed out is no route at all', async (t) => {
  const { url } = await serve(t, async () => { throw new Error('not called'); });
  const answer = await call(url, '/v1/responders/not-a-uuid', { method: 'DELETE' });
  t.is(answer.status, 404);
  t.regex(answer.body.error.message, /^no such endpoint: DELETE \/v1\/responders\/not-a-uuid$/);
});

test('/metrics skips the contract-version check but not auth', async (t) => {
  const { url } = await serve(t, async () => { throw new Error('not called'); });
  const scraped = await fetch(new URL('/metrics', url), { headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(scraped.status, 200);
  t.regex(await scraped.text(), /pathprobe_agent_busy_refusals_total 0/);
  t.is((await call(url, '/metrics', { token: null, version: null })).body.error.code, 'ERR_AUTH');
});
