import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide, loadAgentPolicy } from '../../agent/server/agentPolicy.js';
import { AgentClient } from '../../controller/agentClient/agentClient.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { startAgent } from '../helpers/startAgent.js';

async function policyFile(t: ExecutionContext, text: string, tokens: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-policy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [file, token] of Object.entries(tokens)) await writeFile(join(dir, file), `${token}\n`);
  const path = join(dir, 'policy.yaml');
  await writeFile(path, text);
  return path;
}

const POLICY = `
tokens:
  oncall: oncall.token
grants:
  - identities: [cert:nightly]
    tests: [pmtu, throughput]
    maxDuration: 30s
    maxStreams: 8
    peerCidrs: [198.18.0.0/15]
  - identities: [token:oncall]
    tests: [pmtu, echo]
    maxProbesPerSecond: 200
    echoCidrs: [198.18.5.0/24]
`;

test('a grant allows its identities its tests within its limits, and says why it refuses', async (t) => {
  const policy = await loadAgentPolicy(await policyFile(t, POLICY, { 'oncall.token': 'o-secret' }));
  t.is(policy.tokens.get('oncall'), 'o-secret');
  t.deepEqual(decide(policy, ['cert:nightly'], { test: 'throughput', targetAddress: '198.18.1.2', durationMs: 11_000, streams: 8 }), { allow: true, probesPerSecond: null });
  t.deepEqual(decide(policy, ['cert:nightly'], { test: 'throughput', targetAddress: '198.18.1.2', durationMs: 61_000, streams: 1 }),
    { allow: false, reason: `policy ${policy.path}: 61 s is longer than its maxDuration of 30 s` });
  t.regex((decide(policy, ['cert:nightly'], { test: 'throughput', targetAddress: '198.18.1.2', durationMs: 1000, streams: 16 }) as { reason: string }).reason, /16 streams are more than its maxStreams of 8/);
  t.regex((decide(policy, ['cert:nightly'], { test: 'pmtu', targetAddress: '203.0.113.1' }) as { reason: string }).reason, /target 203\.0\.113\.1 is outside its peerCidrs \(198\.18\.0\.0\/15\)/);
  t.regex((decide(policy, ['cert:nightly'], { test: 'echo', targetAddress: '198.18.5.1' }) as { reason: string }).reason, /echo is not among its tests/);
  t.deepEqual(decide(policy, ['token:oncall'], { test: 'echo', targetAddress: '198.18.5.1' }), { allow: true, probesPerSecond: 200 });
  t.regex((decide(policy, ['token:oncall'], { test: 'throughput' }) as { reason: string }).reason, /throughput is not among its tests \(pmtu, echo\)/);
  t.regex((decide(policy, ['token:default'], { test: null }) as { reason: string }).reason, /token:default has no grant in /);
  t.deepEqual(decide(policy, ['token:oncall'], { test: null }), { allow: true, probesPerSecond: null }, 'facts and metrics: any identity with a grant');
});

for (const [what, text, message] of [
  ['a missing file', null, /^cannot read --policy .*: ENOENT$/],
  ['not YAML', 'grants: [\n', /: not YAML: /],
  ['no grants', 'grants: []\n', /grants: .*>=1|grants: .*at least/i],
  ['an unknown field', 'grants:\n  - { identities: [cert:x], tests: [pmtu], maxStreamz: 3 }\n', /grants\.0: .*maxStreamz/],
  ['a bad identity', 'grants:\n  - { identities: [x509:nightly], tests: [pmtu] }\n', /grants\.0\.identities\.0: an identity is cert:NAME or token:NAME/],
  ['an unknown token', 'grants:\n  - { identities: [token:ghost], tests: [pmtu] }\n', /token:ghost names no token/],
  ['a bad CIDR', 'grants:\n  - { identities: [cert:x], tests: [pmtu], peerCidrs: [198.18.0.0/99] }\n', /peerCidrs\.0: "198\.18\.0\.0\/99" is not a CIDR/],
] as const) {
  test(`a policy file with ${what} stops the agent at start with one line (never fails open)`, async (t) => {
    const path = text === null ? join(tmpdir(), 'pathprobe-no-such-policy.yaml') : await policyFile(t, text);
    const error = await loadAgentPolicy(path).then(() => null, (e: Error) => e.message);
    t.regex(error ?? '', message);
    t.false((error ?? '').includes('\n'));
  });
}

test('an agent with a policy refuses what its caller is not granted (403, the reason) and writes every decision to its audit log', async (t) => {
  const path = await policyFile(t, POLICY, { 'oncall.token': 'o-secret', 'default.token': 'd-secret' });
  const audit = join(path, '..', 'audit.log');
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--token-file', join(path, '..', 'default.token'), '--policy', path, '--audit-log', audit]);
  t.teardown(() => agent.stop());
  const oncall = new AgentClient(new URL(agent.url), { token: 'o-secret' });
  t.is((await oncall.facts()).v, 1);
  const refused = await oncall.startIperfServers('127.0.0.1', 1, 10_000).then(() => null, (e: PathprobeError) => e);
  t.is(refused?.code, 'ERR_POLICY');
  t.regex(refused?.message ?? '', /refused: policy .*: throughput is not among its tests \(pmtu, echo\)/);
  const stranger = await new AgentClient(new URL(agent.url), { token: 'd-secret' }).facts().then(() => null, (e: PathprobeError) => e);
  t.is(stranger?.code, 'ERR_POLICY');
  t.regex(stranger?.message ?? '', /token:default has no grant/);
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(lines.map((l) => [l.identities, l.route, l.decision, l.status]), [
    [['token:oncall'], 'facts', 'allow', 200],
    [['token:oncall'], 'startIperfServers', 'deny', 403],
    [['token:default'], 'facts', 'deny', 403],
  ]);
  t.regex(String(lines[1]!.reason), /^ERR_POLICY: refused: policy .*throughput is not among its tests/);
  for (const line of lines) t.regex(String(line.time), /^\d{4}-\d\d-\d\dT/);
});

test('an agent given a broken policy does not start', async (t) => {
  const path = await policyFile(t, 'grants: []\n');
  const message = await startAgent(['--listen', '127.0.0.1:0', '--insecure-no-auth', '--policy', path]).then(
    (a) => { t.teardown(() => a.stop()); return ''; },
    (e: Error) => e.message,
  );
  t.regex(message, /exited with 2 before listening: pathprobe agent: --policy .*policy\.yaml: grants: /);
});
