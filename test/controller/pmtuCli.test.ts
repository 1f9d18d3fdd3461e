import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../helpers/runCli.js';
import { startAgent, tokenFile } from '../helpers/startAgent.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

const TOKEN = 'lab-token';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function assertOneLineError(t: any, stderr: string, pattern: RegExp): void {
  t.regex(stderr, pattern);
  t.notRegex(stderr, /\n\s+at /, 'no stack trace');
  t.true(stderr.trim().split('\n').length <= 2, stderr);
}

test('a malformed agent URL is a usage error with exit code 2', async (t) => {
  const result = await runCli(['pmtu', '--from', 'not a url', '--to-address', '198.18.1.2']);
  t.is(result.exitCode, 2);
  assertOneLineError(t, result.stderr, /^pathprobe: --from "not a url" is not an agent URL/);
});

test('a malformed address is a usage error with exit code 2', async (t) => {
  const result = await runCli(['pmtu', '--from', 'http://127.0.0.1:1', '--to-address', '198.18.1.999']);
  t.is(result.exitCode, 2);
  assertOneLineError(t, result.stderr, /--to-address "198\.18\.1\.999" is not an IPv4 or IPv6 address/);
});

test('an unknown flag is a usage error with exit code 2', async (t) => {
  const result = await runCli(['pmtu', '--from', 'http://127.0.0.1:1', '--bogus']);
  t.is(result.exitCode, 2);
  assertOneLineError(t, result.stderr, /Unknown argument: bogus/);
});

test('an unreachable agent gives exit code 3 and says so in one line', async (t) => {
  // A port that was just free: nothing listens there.
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const result = await runCli(['pmtu', '--from', url, '--to-address', '127.0.0.1']);
  t.is(result.exitCode, 3);
  assertOneLineError(t, result.stderr, /^pathprobe: agent http:\/\/127\.0\.0\.1:\d+ unreachable: connection refused/);
});

test('an agent speaking an unknown contract version is refused with exit code 3', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ v: 99, hostname: 'future', nics: [] }));
  });
  const url = await listen(server);
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const result = await runCli(['pmtu', '--from', url, '--to-address', '127.0.0.1']);
  t.is(result.exitCode, 3);
  assertOneLineError(t, result.stderr, /speaks contract version 99; this controller speaks contract version 1/);
});

test('something that is not an agent is named as such with exit code 3', async (t) => {
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>hello</html>'); });
  const url = await listen(server);
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const result = await runCli(['pmtu', '--from', url, '--to-address', '127.0.0.1']);
  t.is(result.exitCode, 3);
  assertOneLineError(t, result.stderr, /with HTTP 200 \(text\/html\), not as a pathprobe agent/);
});

test('a proxy answering 502 in front of the agent is named as not an agent, in exactly one line, with exit code 3', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  });
  const url = await listen(server);
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const result = await runCli(['pmtu', '--from', url, '--to-address', '127.0.0.1']);
  t.is(result.exitCode, 3);
  t.is(result.stderr, `pathprobe: ${url} answered GET /v1/facts with HTTP 502 (text/html), not as a pathprobe agent: a proxy or another service on that port?\n`);
});

test('a wrong token is refused with exit code 2, and the agent keeps serving', async (t) => {
  const right = await tokenFile(TOKEN);
  const wrong = await tokenFile('not-the-token');
  t.teardown(() => Promise.all([right.remove(), wrong.remove()]));
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--token-file', right.path, '--allow', '127.0.0.0/8']);
  t.teardown(() => agent.stop());
  const refused = await runCli(['pmtu', '--from', agent.url, '--to-address', '127.0.0.1', '--token-file', wrong.path]);
  t.is(refused.exitCode, 2);
  assertOneLineError(t, refused.stderr, /missing or wrong bearer token/);
  const outside = await runCli(['pmtu', '--from', agent.url, '--from-address', '127.0.0.1', '--to-address', '127.0.0.1', '--token-file', right.path, '--json']);
  t.is(outside.exitCode, 0, outside.stderr);
  t.is(JSON.parse(outside.stdout).forward.verdict, 'ok');
  assertMatchesContract(t, 'pathprobe.pmtu/v1', JSON.parse(outside.stdout));
});

test('a target outside the agent\'s --allow list is refused with exit code 2', async (t) => {
  const token = await tokenFile(TOKEN);
  t.teardown(() => token.remove());
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--token-file', token.path, '--allow', '127.0.0.2/32']);
  t.teardown(() => agent.stop());
  const result = await runCli(['pmtu', '--from', agent.url, '--to-address', '127.0.0.1', '--token-file', token.path]);
  t.is(result.exitCode, 2);
  assertOneLineError(t, result.stderr, /127\.0\.0\.1 is outside this agent's --allow list \(127\.0\.0\.2\/32\)/);
});
