import test from 'ava';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentClient } from '../../controller/agentClient/agentClient.js';
import { PathprobeError } from '../../proto/errorCodes.js';

/** A real HTTP server on a free port that answers every request the same way. */
async function answering(t: { teardown(fn: () => unknown): void }, listener: RequestListener): Promise<AgentClient> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new AgentClient(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), { token: null, timeoutMs: 5000 });
}

function json(status: number, body: unknown): RequestListener {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

test('the client closes an idle connection itself, long before an agent that keeps it 65 s would', async (t) => {
  const server = createServer(json(404, { v: 1, error: { code: 'ERR_NOT_FOUND', message: 'no such route' } }));
  server.keepAliveTimeout = 65_000;
  const closed = new Promise<number>((resolve) => server.once('connection', (socket) => {
    const openedAt = Date.now();
    socket.once('close', () => resolve(Date.now() - openedAt));
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const client = new AgentClient(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), { token: null, idleConnectionMs: 300 });
  await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  // A busy controller that left it to the agent would send its next request on a connection the
  // agent may be closing at that very moment.
  const openMs = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 20_000))]);
  t.true(openMs < 20_000, 'closed by the client, not by the server\'s 65 s');
});

test("a proxy's 502 HTML page is not an agent's answer, named in one line", async (t) => {
  const client = await answering(t, (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  });
  const error = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_NOT_AN_AGENT');
  t.is(error.message, `${client.label} answered GET /v1/facts with HTTP 502 (text/html), not as a pathprobe agent: a proxy or another service on that port?`);
});

test('a 200 JSON answer without a contract version is not an agent', async (t) => {
  const client = await answering(t, json(200, {}));
  const error = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_NOT_AN_AGENT');
  t.regex(error.message, /answered GET \/v1\/facts with HTTP 200 \(application\/json\), not as a pathprobe agent/);
});

test('a JSON answer that is not an object, or has a non-numeric v, is not an agent', async (t) => {
  for (const body of [null, [1], 'v', { v: '1' }]) {
    const client = await answering(t, json(200, body));
    const error = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
    t.is(error.code, 'ERR_NOT_AN_AGENT', JSON.stringify(body));
  }
});

test('an empty body with no content type is not an agent, and the route is named with its id', async (t) => {
  const client = await answering(t, (_req, res) => { res.writeHead(404); res.end(); });
  const error = await t.throwsAsync(client.closeResponder('0b5c1a8e-1111-4222-8333-944455556666'), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_NOT_AN_AGENT');
  t.regex(error.message, /answered DELETE \/v1\/responders\/0b5c1a8e-1111-4222-8333-944455556666 with HTTP 404 \(no content type\)/);
});

test('an agent that speaks contract v1 but breaks the response schema is a protocol error, not "not an agent"', async (t) => {
  const client = await answering(t, json(200, { v: 1, hostname: 'half-an-agent' }));
  const error = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_AGENT_PROTOCOL');
  t.regex(error.message, /sent a malformed answer to GET \/v1\/facts/);
});

test('an agent in another contract version is a version error', async (t) => {
  const client = await answering(t, json(200, { v: 99 }));
  const error = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_VERSION');
});

test('an error body with a controller-local code is a protocol error: those codes never cross the wire', async (t) => {
  const client = await answering(t, json(502, { v: 1, error: { code: 'ERR_AGENT_UNREACHABLE', message: 'spoofed' } }));
  const error = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_AGENT_PROTOCOL');
});

test("an agent's wire error arrives with its code and message", async (t) => {
  const client = await answering(t, json(409, { v: 1, error: { code: 'ERR_BUSY', message: 'slot taken' } }));
  const error = await t.throwsAsync(client.sweep({ v: 1, mode: 'echo', target: { address: '127.0.0.1' }, maxRounds: 1 }), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_BUSY');
  t.regex(error.message, /slot taken$/);
});

test('the client sends the path, method, headers and body the descriptor names', async (t) => {
  const seen: Array<{ method?: string; url?: string; version?: string | string[]; body: string }> = [];
  const client = await answering(t, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => {
      seen.push({ method: req.method, url: req.url, version: req.headers['pathprobe-contract-version'], body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ v: 1, sessionId: 'abc', killed: 0 }));
    });
  });
  t.deepEqual(await client.stopIperfServers('abc'), { v: 1, sessionId: 'abc', killed: 0 });
  t.deepEqual(seen, [{ method: 'DELETE', url: '/v1/iperf/servers/abc', version: '1', body: '' }]);
});
