import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labUp } from '../../scripts/lab/labUp.js';
import { startLabAgents } from '../../scripts/lab/labAgents.js';
import { cleanPath } from '../../scripts/lab/topologies.js';
import { LAB_PROGRAMS } from '../helpers/repoPaths.js';

/*
 * The fleet setup end to end in the lab: a PKI made with `pathprobe certs`, agents serving HTTPS
 * that admit only controllers with a certificate from it (mutual TLS, plus the token), and the
 * controller measuring over that: one pair with `pmtu`, and a run whose plan carries `tls:`.
 */
test.serial('over mutual TLS a controller with the CA\'s certificate measures 9000 both ways; without its certificate it is refused in one line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-tlslab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lab = await labUp(cleanPath());
  t.teardown(() => lab.down());
  const pki = join(dir, 'pki');
  const cli = (args: string[]) => lab.exec('ctl', [process.execPath, LAB_PROGRAMS.cliMain, ...args], { timeoutMs: 60_000 });
  t.is((await cli(['certs', 'init', '--dir', pki])).exitCode, 0);
  for (const host of ['h1', 'h2']) {
    const issued = await cli(['certs', 'issue', 'agent', host, '--ip', lab.hosts[host]!.mgmtAddress, '--dir', pki]);
    t.is(issued.exitCode, 0, issued.stderr);
  }
  t.is((await cli(['certs', 'issue', 'controller', 'nightly', '--dir', pki])).exitCode, 0);
  const agents = await startLabAgents(lab, {
    programs: LAB_PROGRAMS,
    extraArgs: (host) => ['--tls-cert', join(pki, `${host}.pem`), '--tls-key', join(pki, `${host}-key.pem`), '--client-ca', join(pki, 'ca.pem')],
  });
  t.teardown(() => agents.stop());
  t.regex(agents.urls.h1!, /^https:\/\//);

  const tlsFlags = ['--ca', join(pki, 'ca.pem'), '--cert', join(pki, 'nightly.pem'), '--key', join(pki, 'nightly-key.pem')];
  const pair = ['pmtu', '--from', agents.urls.h1!, '--to', agents.urls.h2!, '--from-address', lab.hosts.h1!.v4, '--to-address', lab.hosts.h2!.v4, '--token-file', agents.tokenFile, '--json'];
  const measured = await cli([...pair, ...tlsFlags]);
  t.is(measured.exitCode, 0, measured.stderr);
  const report = JSON.parse(measured.stdout);
  t.is(report.forward.pathMtu, 9000);
  t.is(report.reverse.pathMtu, 9000);

  const refused = await cli([...pair, '--ca', join(pki, 'ca.pem')]);
  t.is(refused.exitCode, 2);
  t.regex(refused.stderr, /^pathprobe: agent https:\/\/\S+: the agent requires a client certificate \(mutual TLS\): give --cert and --key/);
  t.notRegex(refused.stderr, /\n\s+at /);

  const planPath = join(dir, 'plan.yaml');
  await writeFile(planPath, [
    `tokenFile: ${agents.tokenFile}`,
    `tls: { ca: pki/ca.pem, cert: pki/nightly.pem, key: pki/nightly-key.pem }`,
    'agents:',
    ...['h1', 'h2'].map((h) => `  - { name: ${h}, url: "${agents.urls[h]}", addresses: [${lab.hosts[h]!.v4}] }`),
    'tests: [pmtu]',
    'pmtu: { flows: 1 }',
    '',
  ].join('\n'));
  const run = await cli(['run', planPath, '--db', join(dir, 'runs.sqlite'), '--json']);
  t.is(run.exitCode, 0, run.stderr);
  const runReport = JSON.parse(run.stdout);
  t.is(runReport.pairs[0].pmtu.forward.pathMtu, 9000);
  t.is(runReport.plan.tls.ca, join(pki, 'ca.pem'), 'tls paths are resolved against the plan file');
});
