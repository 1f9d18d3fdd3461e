import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/repoPaths.js';
import { runCli } from '../helpers/runCli.js';

async function tempDb(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-runcli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'pathprobe.sqlite');
}

for (const [file, message] of [
  ['unknown-top.yaml', /unknown-top\.yaml:\d+: unknown field "expectt"/],
  ['wrong-type.yaml', /wrong-type\.yaml:\d+: .*expected/],
  ['duplicate-agent.yaml', /duplicate-agent\.yaml:\d+: agents\[\d\]\.name: duplicate agent "h1" \(first at line \d+\)/],
  ['missing-token.yaml', /missing-token\.yaml:\d+: tokenFile: .*no such file/],
] as const) {
  test(`run with a malformed plan (${file}) names the line and field, exit 2, nothing stored`, async (t) => {
    const db = await tempDb(t);
    const result = await runCli(['run', join(FIXTURES, 'plans', file), '--db', db]);
    t.is(result.exitCode, 2);
    t.regex(result.stderr, message);
    t.notRegex(result.stderr, /\n\s+at /);
    t.false(existsSync(db), 'the plan is checked before the database is even created');
  });
}

test('report and resume of a run that does not exist are usage errors', async (t) => {
  const db = await tempDb(t);
  const report = await runCli(['report', 'r20260101-000000-dead', '--db', db]);
  t.is(report.exitCode, 2);
  t.regex(report.stderr, /no run r20260101-000000-dead in /);
  const resume = await runCli(['run', '--resume', 'r20260101-000000-dead', '--db', db]);
  t.is(resume.exitCode, 2);
  t.regex(resume.stderr, /no run r20260101-000000-dead in /);
});

test('run without a plan or --resume is a usage error', async (t) => {
  const result = await runCli(['run']);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /give a plan file, or --resume RUN_ID/);
});
