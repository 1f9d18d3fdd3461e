import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient } from '../../controller/agentClient/agentClient.js';
import { readClientTls } from '../../controller/agentClient/clientTls.js';
import { createCa, issueCertificate, type PemPair } from '../../controller/pki/privatePki.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { runCli } from '../helpers/runCli.js';
import { startAgent, type RunningAgent } from '../helpers/startAgent.js';

interface Pki { dir: string; ca: PemPair; files: (name: string, pair: PemPair) => Promise<{ cert: string; key: string }>; caFile: string }

async function pki(t: ExecutionContext): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCa({ name: 'test CA' });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certificatePem);
  const files = async (name: string, pair: PemPair) => {
    const cert = join(dir, `${name}.pem`);
    const key = join(dir, `${name}-key.pem`);
    await writeFile(cert, pair.certificatePem);
    await writeFile(key, pair.keyPem, { mode: 0o600 });
    return { cert, key };
  };
  return { dir, ca, files, caFile };
}

async function tlsAgent(t: ExecutionContext, p: Pki, extra: string[] = [], agentPair?: PemPair): Promise<RunningAgent> {
  const pair = agentPair ?? await issueCertificate({ ca: p.ca, role: 'agent', name: 'a1', ips: ['127.0.0.1'] });
  const { cert, key } = await p.files(`agent-${Math.random().toString(16).slice(2)}`, pair);
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key, ...extra]);
  t.teardown(() => agent.stop());
  return agent;
}

async function failure(promise: Promise<unknown>): Promise<PathprobeError> {
  try {
    await promise;
  } catch (error) {
    return error as PathprobeError;
  }
  throw new Error('expected a failure');
}

test('an agent with --tls-cert serves HTTPS that a controller trusting the CA reads; a controller with only system CAs is told: unknown CA', async (t) => {
  const p = await pki(t);
  const token = join(p.dir, 'token');
  await writeFile(token, 'secret\n');
  const agent = await tlsAgent(t, p, ['--token-file', token]);
  t.regex(agent.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const tls = await readClientTls({ ca: p.caFile });
  const facts = await new AgentClient(new URL(agent.url), { token: 'secret', tls }).facts();
  t.is(facts.v, 1);
  const untrusted = await failure(new AgentClient(new URL(agent.url), { token: 'secret' }).facts());
  t.is(untrusted.code, 'ERR_TLS');
  t.regex(untrusted.message, /its certificate is not signed by a CA we trust \(unknown CA\)/);
  // Token on top of TLS: the right CA with a wrong token is still refused.
  const wrongToken = await failure(new AgentClient(new URL(agent.url), { token: 'nope', tls }).facts());
  t.is(wrongToken.code, 'ERR_AUTH');
});

test('a certificate for another address is a wrong name; an expired one stops the agent at start', async (t) => {
  const p = await pki(t);
  const other = await issueCertificate({ ca: p.ca, role: 'agent', name: 'a2', ips: ['198.18.0.9'] });
  const agent = await tlsAgent(t, p, ['--insecure-no-auth'], other);
  const wrongName = await failure(new AgentClient(new URL(agent.url), { token: null, tls: await readClientTls({ ca: p.caFile }) }).facts());
  t.is(wrongName.code, 'ERR_TLS');
  t.regex(wrongName.message, /wrong name: .*127\.0\.0\.1.*198\.18\.0\.9/);

  const expired = await issueCertificate({ ca: p.ca, role: 'agent', name: 'old', ips: ['127.0.0.1'], days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) });
  const files = await p.files('old', expired);
  const started = await startAgent(['--listen', '127.0.0.1:0', '--insecure-no-auth', '--tls-cert', files.cert, '--tls-key', files.key]).then(
    (a) => { t.teardown(() => a.stop()); return null; },
    (error: Error) => error.message,
  );
  t.regex(started ?? '', /--tls-cert .*old\.pem expired on \d{4}-/);
});

test('mutual TLS: no client certificate, or one from another CA, is refused in one clear line; the CA\'s controller gets in and is named in the audit line', async (t) => {
  const p = await pki(t);
  const agent = await tlsAgent(t, p, ['--client-ca', p.caFile]);
  const url = new URL(agent.url);
  const noCert = await failure(new AgentClient(url, { token: null, tls: await readClientTls({ ca: p.caFile }) }).facts());
  t.is(noCert.code, 'ERR_TLS');
  t.regex(noCert.message, /the agent requires a client certificate \(mutual TLS\): give --cert and --key/);

  const strangerCa = await createCa({ name: 'other CA' });
  const stranger = await p.files('stranger', await issueCertificate({ ca: strangerCa, role: 'controller', name: 'stranger' }));
  const refused = await failure(new AgentClient(url, { token: null, tls: await readClientTls({ ca: p.caFile, ...stranger }) }).facts());
  t.is(refused.code, 'ERR_TLS');
  t.regex(refused.message, /the agent hung up on our client certificate: is it issued by the agent's --client-ca/);

  const nightly = await p.files('nightly', await issueCertificate({ ca: p.ca, role: 'controller', name: 'nightly' }));
  const facts = await new AgentClient(url, { token: null, tls: await readClientTls({ ca: p.caFile, ...nightly }) }).facts();
  t.is(facts.v, 1);
  // The audit line is written when the answer is finished: it may trail the answer by a tick.
  for (let i = 0; i < 50 && !agent.stdout().includes('"cert:nightly"'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const audit = agent.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { identities: string[]; route: string | null; decision: string; reason?: string });
  t.true(audit.some((e) => e.route === 'facts' && e.decision === 'allow' && e.identities.includes('cert:nightly')), JSON.stringify(audit));
  t.true(audit.some((e) => e.route === null && e.decision === 'deny' && e.reason === 'TLS: no client certificate'), JSON.stringify(audit));
  t.true(audit.some((e) => e.route === null && e.decision === 'deny' && e.reason === 'TLS: client certificate not signed by --client-ca'), JSON.stringify(audit));
});

test('the agent refuses TLS below 1.2', async (t) => {
  const p = await pki(t);
  const agent = await tlsAgent(t, p, ['--insecure-no-auth']);
  const { port } = new URL(agent.url);
  const outcome = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ca: p.ca.certificatePem, servername: undefined });
    socket.once('secureConnect', () => { socket.destroy(); resolve('connected'); });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  t.not(outcome, 'connected');
  t.regex(outcome, /VERSION|PROTOCOL|UNSUPPORTED/i);
});

test('plain HTTP on a non-loopback address gets a loud warning; without a token or a client CA the agent refuses to start', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const token = join(dir, 'token');
  await writeFile(token, 'secret\n');
  const agent = await startAgent(['--listen', '0.0.0.0:0', '--token-file', token]);
  t.teardown(() => agent.stop());
  t.regex(agent.stderr(), /WARNING: serving plain HTTP on 0\.0\.0\.0: the bearer token and every request cross the network in clear text/);
  const refused = await startAgent(['--listen', '127.0.0.1:0'], { env: { PATHPROBE_TOKEN: '' } }).then(() => '', (error: Error) => error.message);
  t.regex(refused, /refusing to start without authentication/);
});

test('pathprobe certs makes a CA and certificates with the SANs given, keys readable by their owner only, and never overwrites', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pkiDir = join(dir, 'pki');
  t.is((await runCli(['certs', 'init', '--dir', pkiDir])).exitCode, 0);
  const agent = await runCli(['certs', 'issue', 'agent', 'h1', '--ip', '198.18.1.1', '--ip', '2001:2::1', '--dns', 'h1.lab', '--dir', pkiDir]);
  t.is(agent.exitCode, 0, agent.stderr);
  t.regex(agent.stdout, /agent certificate "h1" for h1\.lab, 198\.18\.1\.1, 2001:2::1, valid 365 days/);
  const { X509Certificate } = await import('node:crypto');
  const { readFile } = await import('node:fs/promises');
  const certificate = new X509Certificate(await readFile(join(pkiDir, 'h1.pem')));
  t.is(certificate.subjectAltName, 'DNS:h1.lab, IP Address:198.18.1.1, IP Address:2001:2:0:0:0:0:0:1');
  t.true(certificate.verify(new X509Certificate(await readFile(join(pkiDir, 'ca.pem'))).publicKey));
  const lifetimeDays = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 86_400_000;
  t.is(Math.round(lifetimeDays), 365);
  for (const key of ['ca-key.pem', 'h1-key.pem']) t.is((await stat(join(pkiDir, key))).mode & 0o777, 0o600, key);
  const again = await runCli(['certs', 'init', '--dir', pkiDir]);
  t.is(again.exitCode, 2);
  t.regex(again.stderr, /^pathprobe: cannot write .*ca-key\.pem: it exists already; remove it first to replace it\n/);
  const noName = await runCli(['certs', 'issue', 'agent', 'h2', '--dir', pkiDir]);
  t.is(noName.exitCode, 2);
  t.regex(noName.stderr, /an agent certificate needs --ip or --dns/);
  const controller = await runCli(['certs', 'issue', 'controller', 'nightly', '--dir', pkiDir]);
  t.is(controller.exitCode, 0, controller.stderr);
  t.regex(new X509Certificate(await readFile(join(pkiDir, 'nightly.pem'))).subject, /CN=nightly/);
});
