import test, { type ExecutionContext } from 'ava';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { AgentClient } from '../../controller/agentClient/agentClient.js';
import { PathprobeError } from '../../proto/errorCodes.js';

/*
 * A stopped agent (SIGSTOP) or one behind a partition: its kernel still accepts the connection,
 * and nothing ever answers. Stood in for by a TCP server that accepts and stays silent.
 */
async function silentAgent(t: ExecutionContext): Promise<{ url: URL }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return { url };
}

/** A live agent whose test takes `testMs` and then answers busy; health is answered at once. */
async function slowAgent(t: ExecutionContext, testMs: number): Promise<{ url: URL; healthChecks: () => number }> {
  let healthChecks = 0;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/v1/health') {
      healthChecks += 1;
      return answer(200, { v: 1, uptimeMs: 1 });
    }
    setTimeout(() => answer(409, { v: 1, error: { code: 'ERR_BUSY', message: 'still busy' } }), testMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), healthChecks: () => healthChecks };
}

const SWEEP = { v: 1, mode: 'peer', target: { address: '198.18.0.2', port: 9, keyHex: '0'.repeat(32) } } as never;

test('a silent agent costs one short deadline; every later request fails at once, saying since when', async (t) => {
  const { url } = await silentAgent(t);
  const client = new AgentClient(url, { token: null, quickTimeoutMs: 400, healthTimeoutMs: 200, silentRecheckMs: 60_000 });
  const first = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.is(first.code, 'ERR_AGENT_UNREACHABLE');
  t.regex(first.message, /unreachable: no answer to GET \/v1\/facts in 1 s$/);
  const startedAt = Date.now();
  const again = await t.throwsAsync(client.openResponder('198.18.0.1'), { instanceOf: PathprobeError });
  t.true(Date.now() - startedAt < 400, 'not a second deadline');
  t.is(again.code, 'ERR_AGENT_UNREACHABLE');
  t.regex(again.message, /^agent http:\/\/127\.0\.0\.1:\d+ has not answered since \d\d:\d\d:\d\d \(no answer to GET \/v1\/facts in 1 s\); not waiting for it again$/);
});

test('a test in flight toward an agent that stops answering health checks is given up, not waited for', async (t) => {
  const { url } = await silentAgent(t);
  const client = new AgentClient(url, { token: null, timeoutMs: 60_000, healthTimeoutMs: 200 });
  const error = await t.throwsAsync(client.sweep(SWEEP), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_AGENT_UNREACHABLE');
  t.regex(error.message, /has not answered since .* \(2 health checks in a row got no answer in 1 s\)/);
});

test('a long test toward an agent that answers its health checks is waited for to its end', async (t) => {
  const agent = await slowAgent(t, 3500);
  const client = new AgentClient(agent.url, { token: null, timeoutMs: 60_000, healthTimeoutMs: 1000 });
  const error = await t.throwsAsync(client.sweep(SWEEP), { instanceOf: PathprobeError });
  t.is(error.code, 'ERR_BUSY', 'the agent\'s own answer, after 3.5 s');
  t.true(agent.healthChecks() >= 3, `${agent.healthChecks()} health checks while it ran`);
});

test('an agent that answers again is used again once its silence is rechecked', async (t) => {
  let stopped = true;
  const server = createHttpServer((req, res) => {
    if (stopped) return; // SIGSTOPped: the request is never answered
    res.writeHead(req.url === '/v1/health' ? 200 : 409, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/v1/health' ? { v: 1, uptimeMs: 1 } : { v: 1, error: { code: 'ERR_BUSY', message: 'busy' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const client = new AgentClient(url, { token: null, quickTimeoutMs: 300, healthTimeoutMs: 1000, silentRecheckMs: 500 });
  await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  stopped = false; // SIGCONT
  const meanwhile = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.regex(meanwhile.message, /has not answered since/, 'not asked again before the recheck is due');
  await new Promise((resolve) => setTimeout(resolve, 600));
  const answered = await t.throwsAsync(client.facts(), { instanceOf: PathprobeError });
  t.is(answered.code, 'ERR_BUSY', 'the health check got an answer, so the request went to the agent');
});
