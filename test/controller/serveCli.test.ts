import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN, FIXTURES } from '../helpers/repoPaths.js';
import { runCli } from '../helpers/runCli.js';

const PLAN = join(FIXTURES, 'plans', 'minimal.yaml');

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-servecli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

for (const [title, flags, message] of [
  ['an invalid --cron', ['--cron', 'every night', '--metrics', '127.0.0.1:0'], /^pathprobe: --cron "every night" is not a cron schedule such as "0 2 \* \* \*": /],
  ['a --cron with a field out of range', ['--cron', '0 25 * * *', '--metrics', '127.0.0.1:0'], /^pathprobe: --cron "0 25 \* \* \*" is not a cron schedule/],
  ['an invalid --metrics', ['--cron', '0 2 * * *', '--metrics', 'localhost'], /^pathprobe: --metrics "localhost" is not ADDRESS:PORT such as 0\.0\.0\.0:9420/],
  ['a --metrics port out of range', ['--cron', '0 2 * * *', '--metrics', '0.0.0.0:70000'], /^pathprobe: --metrics "0\.0\.0\.0:70000" is not ADDRESS:PORT/],
  ['a --webhook that is not a URL', ['--cron', '0 2 * * *', '--metrics', '127.0.0.1:0', '--webhook', 'alerts'], /^pathprobe: --webhook "alerts" is not a URL/],
  ['a --webhook that is not http(s)', ['--cron', '0 2 * * *', '--metrics', '127.0.0.1:0', '--webhook', 'ftp://alerts.example/x'], /^pathprobe: --webhook must be an http:\/\/ or https:\/\/ URL, not ftp:/],
  ['an invalid --jitter', ['--cron', '0 2 * * *', '--metrics', '127.0.0.1:0', '--jitter', 'soon'], /^pathprobe: --jitter "soon" is not a duration/],
  ['no --cron', ['--metrics', '127.0.0.1:0'], /^pathprobe: Missing required argument: cron/],
] as const) {
  test(`serve with ${title} exits 2 with one line, before creating anything`, async (t) => {
    const dir = await tempDir(t);
    const db = join(dir, 'serve.sqlite');
    const result = await runCli(['serve', '--plan', PLAN, ...flags, '--db', db]);
    t.is(result.exitCode, 2, result.stderr);
    t.regex(result.stderr, message);
    t.is(result.stderr.split('\n')[0]!.length > 0, true);
    t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
    t.false(existsSync(db));
  });
}

test('serve on a --metrics port already in use exits 2 with one line', async (t) => {
  const dir = await tempDir(t);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const port = (busy.address() as { port: number }).port;
  const result = await runCli(['serve', '--plan', PLAN, '--cron', '0 2 * * *', '--metrics', `127.0.0.1:${port}`, '--db', join(dir, 's.sqlite')]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, new RegExp(`^pathprobe: cannot listen on --metrics 127\\.0\\.0\\.1:${port}: address already in use`));
});

test('serve runs on its schedule, serves /metrics, and stops cleanly (exit 0) on SIGTERM', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'token'), 'serve-cli-token\n', { mode: 0o600 });
  // Agents on a closed port: each run ends at once as incomplete (exit 3), which is still a stored run.
  await writeFile(join(dir, 'plan.yaml'), [
    'tokenFile: ./token',
    'agents:',
    '  - { name: h1, url: "http://127.0.0.1:1", addresses: [127.0.0.1] }',
    '  - { name: h2, url: "http://127.0.0.2:1", addresses: [127.0.0.2] }',
    'tests: [pmtu]',
  ].join('\n') + '\n');
  const db = join(dir, 'serve.sqlite');
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--plan', join(dir, 'plan.yaml'), '--cron', '*/1 * * * * *',
    '--metrics', '127.0.0.1:0', '--jitter', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000; // a loaded CI machine can take long to start node
  while (!/run \S+ done in/.test(stderr) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const url = /metrics on (http:\/\/\S+)/.exec(stderr)?.[1];
  t.truthy(url, stderr);
  const text = await (await fetch(url!)).text();
  t.regex(text, /^pathprobe_runs_total\{result="incomplete"\} [1-9]/m, text);
  t.regex(text, /^pathprobe_last_success_timestamp_seconds 0$/m, 'an incomplete run is not a success');

  child.kill('SIGTERM');
  t.is(await exited, 0, stderr);
  t.regex(stderr, /SIGTERM: stopping/);
  t.regex(stderr, /pathprobe serve: stopped\n/);
});
