import test from 'ava';
import { startAgent, tokenFile } from '../helpers/startAgent.js';

const TOKEN = 'slot-token';

async function post(url: string, path: string, body: unknown) {
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'pathprobe-contract-version': '1', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() as any };
}

test('a second throughput request to a busy agent gets ERR_BUSY and the first test is unharmed', async (t) => {
  const token = await tokenFile(TOKEN);
  t.teardown(() => token.remove());
  const sender = await startAgent(['--listen', '127.0.0.1:0', '--token-file', token.path]);
  t.teardown(() => sender.stop());
  const receiver = await startAgent(['--listen', '127.0.0.1:0', '--token-file', token.path]);
  t.teardown(() => receiver.stop());

  const servers = await post(receiver.url, '/v1/iperf/servers', { v: 1, bindAddress: '127.0.0.1', count: 1, maxLifetimeMs: 30_000 });
  t.is(servers.status, 201, JSON.stringify(servers.body));
  const busyServers = await post(receiver.url, '/v1/iperf/servers', { v: 1, bindAddress: '127.0.0.1', count: 1, maxLifetimeMs: 30_000 });
  t.is(busyServers.status, 409);
  t.is(busyServers.body.error.code, 'ERR_BUSY');
  t.regex(busyServers.body.error.message, /^busy: this agent is already running a throughput test/);

  const run = { v: 1, target: { address: '127.0.0.1', ports: servers.body.ports }, streams: 1, mssBytes: null, durationMs: 2000, omitMs: 0 };
  const first = post(sender.url, '/v1/iperf/run', run);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const second = await post(sender.url, '/v1/iperf/run', run);
  t.is(second.status, 409);
  t.is(second.body.error.code, 'ERR_BUSY');

  const firstResult = await first;
  t.is(firstResult.status, 200, JSON.stringify(firstResult.body));
  t.is(firstResult.body.processes[0].failure, null);
  t.true(firstResult.body.processes[0].bitsPerSecondReceived > 0);

  // A one-shot server exits after its test and frees the slot by itself, even if the controller
  // that asked for it never says stop (it may have died).
  let again = await post(receiver.url, '/v1/iperf/servers', { v: 1, bindAddress: '127.0.0.1', count: 1, maxLifetimeMs: 5000 });
  for (let attempt = 0; again.status === 409 && attempt < 50; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    again = await post(receiver.url, '/v1/iperf/servers', { v: 1, bindAddress: '127.0.0.1', count: 1, maxLifetimeMs: 5000 });
  }
  t.is(again.status, 201);
  const stopped = await fetch(new URL(`/v1/iperf/servers/${again.body.sessionId}`, receiver.url), {
    method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}`, 'pathprobe-contract-version': '1' },
  });
  t.is(stopped.status, 200);
  t.is((await stopped.json() as any).killed, 1, 'nobody connected to the second server: it had to be killed');
});
