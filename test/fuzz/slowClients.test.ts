import test from 'ava';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_CONNECTION_LIMITS } from '../../agent/server/connectionLimits.js';
import { ErrorResponse } from '../../proto/errorCodes.js';
import { CONTRACT_VERSION_HEADER } from '../../proto/httpHeaders.js';
import { IN_PROCESS_TOKEN, openConnections, startInProcessAgent } from '../helpers/inProcessAgent.js';

// Abusive clients come from other loopback addresses than the controller (127.0.0.1), as they
// would from other hosts: the per-peer cap must shed them without locking the controller out.
const IDLE_PEER = '127.0.0.2';
const SLOW_PEER = '127.0.0.3';
const IDLE_CONNECTIONS = 200;
const SLOW_CLIENTS = 8;
/** Generous: an answer within it is "served", not "fast". */
const ANSWER_DEADLINE_MS = 10_000;

interface RawClient { socket: Socket; received: () => string; closed: Promise<void>; isClosed: () => boolean }

function rawClient(port: number, localAddress: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let received = '';
    let isClosed = false;
    socket.setEncoding('utf8').on('data', (chunk: string) => { received += chunk; });
    // The agent resets refused connections: that is the expected answer, not a test failure.
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => { isClosed = true; done(); }));
    socket.once('connect', () => resolve({ socket, received: () => received, closed, isClosed: () => isClosed }));
    socket.once('error', reject);
  });
}

function closeAll(clients: readonly RawClient[]): void {
  for (const client of clients) client.socket.destroy();
}

async function facts(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL('/v1/facts', url), {
    headers: { authorization: `Bearer ${IN_PROCESS_TOKEN}`, [CONTRACT_VERSION_HEADER]: '1' },
    signal: AbortSignal.timeout(ANSWER_DEADLINE_MS),
  });
  return { status: response.status, body: await response.json() };
}

/** Sends `text` one byte every `gapMs` until it is sent or the connection closes. */
async function dribble(client: RawClient, text: string, gapMs: number): Promise<void> {
  for (const byte of text) {
    if (client.isClosed()) return;
    client.socket.write(byte);
    await sleep(gapMs);
  }
}

async function until(condition: () => Promise<boolean> | boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await condition()) return true;
    await sleep(50);
  }
  return condition();
}

test('with 200 idle connections and 8 byte-at-a-time clients open, the controller is still answered and connections stay bounded', async (t) => {
  const { url, port, agent, logged } = await startInProcessAgent(t);
  const idle = await Promise.all(Array.from({ length: IDLE_CONNECTIONS }, () => rawClient(port, IDLE_PEER)));
  t.teardown(() => closeAll(idle));
  const slow = await Promise.all(Array.from({ length: SLOW_CLIENTS }, () => rawClient(port, SLOW_PEER)));
  t.teardown(() => closeAll(slow));
  const request = `GET /v1/facts HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer ${IN_PROCESS_TOKEN}\r\nX-Padding: ${'p'.repeat(400)}\r\n\r\n`;
  const dribbling = slow.map((client) => dribble(client, request, 20));

  const { maxConnectionsPerPeer } = DEFAULT_CONNECTION_LIMITS;
  t.true(await until(() => idle.filter((c) => c.isClosed()).length >= IDLE_CONNECTIONS - maxConnectionsPerPeer, ANSWER_DEADLINE_MS),
    'the connections beyond the per-peer cap are closed at once');
  const answer = await facts(url);
  t.is(answer.status, 200);
  t.true(slow.every((c) => !c.isClosed()), 'the slow clients were still holding their connections when the controller was answered');
  t.is(idle.filter((c) => !c.isClosed()).length, maxConnectionsPerPeer);
  t.true(await openConnections(agent) <= maxConnectionsPerPeer + SLOW_CLIENTS + 1);
  t.is(logged.filter((line) => line.includes(IDLE_PEER)).length, 1, 'one log line for the whole flood');
  closeAll(slow);
  await Promise.all(dribbling);
});

test('a client that sends its headers a byte at a time is cut off with a 408 error body once the header timeout passes', async (t) => {
  const { url, port } = await startInProcessAgent(t, { headersTimeoutMs: 1500, connectionsCheckingIntervalMs: 250 });
  const client = await rawClient(port, SLOW_PEER);
  t.teardown(() => client.socket.destroy());
  // 1000 bytes at 50 ms each would take 50 s; the agent must not wait for them.
  const dribbling = dribble(client, `GET /v1/facts HTTP/1.1\r\nHost: agent\r\nX-Slow: ${'s'.repeat(1000)}\r\n\r\n`, 50);
  const cutOff = await Promise.race([client.closed.then(() => true), sleep(ANSWER_DEADLINE_MS).then(() => false)]);
  t.true(cutOff, 'the agent closed the connection');
  await dribbling;
  t.regex(client.received(), /^HTTP\/1\.1 408 /);
  const body = ErrorResponse.parse(JSON.parse(client.received().split('\r\n\r\n')[1]!));
  t.is(body.error.code, 'ERR_BAD_REQUEST');
  t.is((await facts(url)).status, 200);
});

test('an idle keep-alive connection outlives the header timeout and serves its next request', async (t) => {
  const { port } = await startInProcessAgent(t, { headersTimeoutMs: 1000, connectionsCheckingIntervalMs: 250 });
  const client = await rawClient(port, '127.0.0.1');
  t.teardown(() => client.socket.destroy());
  const request = `GET /v1/facts HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer ${IN_PROCESS_TOKEN}\r\n${CONTRACT_VERSION_HEADER}: 1\r\n\r\n`;
  client.socket.write(request);
  t.true(await until(() => /^HTTP\/1\.1 200 /.test(client.received()), ANSWER_DEADLINE_MS));
  await sleep(2500);
  t.false(client.isClosed(), 'idle between requests is the keep-alive timeout\'s business, not the header timeout\'s');
  client.socket.write(request);
  t.true(await until(() => (client.received().match(/HTTP\/1\.1 200 /g) ?? []).length === 2, ANSWER_DEADLINE_MS));
});

test('a huge header gets a 431 error body and the agent keeps serving', async (t) => {
  const { url, port } = await startInProcessAgent(t);
  const client = await rawClient(port, '127.0.0.1');
  t.teardown(() => client.socket.destroy());
  client.socket.write(`GET /v1/facts HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer ${IN_PROCESS_TOKEN}\r\nX-Huge: ${'h'.repeat(64 * 1024)}\r\n\r\n`);
  const closed = await Promise.race([client.closed.then(() => true), sleep(ANSWER_DEADLINE_MS).then(() => false)]);
  t.true(closed, 'the agent closed the connection');
  t.regex(client.received(), /^HTTP\/1\.1 431 /);
  const body = ErrorResponse.parse(JSON.parse(client.received().split('\r\n\r\n')[1]!));
  t.regex(body.error.message, /headers are larger than 16384 bytes/);
  t.is((await facts(url)).status, 200);
});

test('bytes that are not HTTP get a 400 error body, not a hang', async (t) => {
  const { url, port } = await startInProcessAgent(t);
  const client = await rawClient(port, '127.0.0.1');
  t.teardown(() => client.socket.destroy());
  client.socket.write('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP at all\r\n\r\n');
  const closed = await Promise.race([client.closed.then(() => true), sleep(ANSWER_DEADLINE_MS).then(() => false)]);
  t.true(closed);
  t.regex(client.received(), /^HTTP\/1\.1 400 /);
  t.is(ErrorResponse.parse(JSON.parse(client.received().split('\r\n\r\n')[1]!)).error.code, 'ERR_BAD_REQUEST');
  t.is((await facts(url)).status, 200);
});
