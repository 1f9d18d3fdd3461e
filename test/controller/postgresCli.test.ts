import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../controller/store/RunStore.js';
import type { RunSummary } from '../../controller/store/RunStore.js';
import type { RunDiff } from '../../controller/model/runDiff.js';
import type { RunReport } from '../../controller/model/runReport.js';
import { planKeyOf } from '../../controller/diff/planKey.js';
import { CLI_MAIN } from '../helpers/repoPaths.js';
import { runCli } from '../helpers/runCli.js';
import { storeRun, throttled } from '../helpers/storeRackRun.js';
import { usePostgresServer } from '../helpers/postgresServer.js';

/*
 * Every command that reads or writes runs, with `--db postgres://…` (or PATHPROBE_DB) against a
 * real PostgreSQL server this file starts. Runs of the rack-12 fixture are stored straight into
 * the database; `run`, `--resume` and `serve` measure a plan whose agents are on a closed
 * loopback port (each run ends at once as incomplete, exit 3, which is still a stored run).
 */

const postgres = usePostgresServer(test);

const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const DAY = 86_400_000;

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-pgcli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A plan of two agents nobody listens for (port 1 on loopback), with its token file. */
async function unreachablePlan(t: ExecutionContext): Promise<string> {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'token'), 'pg-cli-token\n', { mode: 0o600 });
  await writeFile(join(dir, 'plan.yaml'), [
    'tokenFile: ./token',
    'agents:',
    '  - { name: h1, url: "http://127.0.0.1:1", addresses: [127.0.0.1] }',
    '  - { name: h2, url: "http://127.0.0.2:1", addresses: [127.0.0.2] }',
    'tests: [pmtu]',
  ].join('\n') + '\n');
  return join(dir, 'plan.yaml');
}


test('runs, report, baseline set and diff read runs stored in PostgreSQL', async (t) => {
  const db = await postgres.createDatabase();
  const base = await storeRun(db, T0);
  const slow = await storeRun(db, T0 + DAY, { retune: throttled });

  const runs = await runCli(['runs', '--json', '--db', db]);
  t.is(runs.exitCode, 0, runs.stderr);
  t.deepEqual((JSON.parse(runs.stdout) as RunSummary[]).map((r) => r.runId), [slow, base]);
  const table = await runCli(['runs', '--db', db]);
  t.is(table.exitCode, 0, table.stderr);
  t.regex(table.stdout, new RegExp(`${base}.*\\n`));

  const report = await runCli(['report', base, '--json', '--db', db]);
  t.is(report.exitCode, 1, report.stderr); // the fixture's run has failing findings
  const rebuilt = JSON.parse(report.stdout) as RunReport;
  t.is(rebuilt.runId, base);
  t.is(rebuilt.pairs.length, 21);

  const set = await runCli(['baseline', 'set', base, '--db', db]);
  t.is(set.exitCode, 0, set.stderr);
  t.regex(set.stdout, new RegExp(`^baseline of racks/rack12\\.yaml \\(${planKeyOf(rebuilt.plan)}\\): ${base}, `));
  const store = await RunStore.open(db);
  t.teardown(() => store.close());
  t.is((await store.getBaseline(planKeyOf(rebuilt.plan)))?.runId, base, 'the baseline is in the database');

  const diff = await runCli(['diff', base, slow, '--json', '--db', db]);
  t.is(diff.exitCode, 1, diff.stderr);
  t.true((JSON.parse(diff.stdout) as RunDiff).regressed);
  const missing = await runCli(['diff', base, 'r20260101-000000-dead', '--db', db]);
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, new RegExp(`^pathprobe: no run r20260101-000000-dead in postgres://pathprobe@127\\.0\\.0\\.1:${postgres.port}/t\\d+ `));
});

test('run stores into PostgreSQL, PATHPROBE_DB stands for --db, and --resume finishes an interrupted run there', async (t) => {
  const db = await postgres.createDatabase();
  const plan = await unreachablePlan(t);

  const first = await runCli(['run', plan, '--json'], { env: { PATHPROBE_DB: db } });
  t.is(first.exitCode, 3, first.stderr); // nothing could be measured: incomplete
  t.regex(first.stderr, new RegExp(`^run r\\d{8}-\\d{6}-[0-9a-f]{4} \\(stored in postgres://pathprobe@127\\.0\\.0\\.1:${postgres.port}/t\\d+\\)`, 'm'));
  const runId = (JSON.parse(first.stdout) as RunReport).runId;

  const store = await RunStore.open(db);
  t.teardown(() => store.close());
  t.like(await store.getRun(runId), { status: 'done', exitCode: 3, planPath: plan });
  t.is((await store.loadResults(runId))!.pmtu.size, 1, 'the failed pair is stored');

  // A run of the same plan whose controller died: `run --resume` measures it to its end.
  const dead = await store.createRun({ plan: (await store.getRun(runId))!.plan, planPath: plan, startedAtMs: Date.now() });
  t.true(await store.markInterrupted(dead));
  const resumed = await runCli(['run', '--resume', dead, '--db', db, '--json']);
  t.is(resumed.exitCode, 3, resumed.stderr);
  t.regex(resumed.stderr, new RegExp(`^resuming ${dead} `, 'm'));
  t.like(await store.getRun(dead), { status: 'done', exitCode: 3 });
  t.truthy(await store.loadReport(dead), 'the final report is stored with the run');

  // Still something unmeasured (exit 3): it may be resumed again, once the agents are back.
  const again = await runCli(['run', '--resume', dead, '--db', db]);
  t.is(again.exitCode, 3, again.stderr);
  t.regex(again.stderr, new RegExp(`^resuming ${dead} `, 'm'));
  // A run that measured everything has nothing left to resume.
  const complete = await store.createRun({ plan: (await store.getRun(runId))!.plan, planPath: plan, startedAtMs: Date.now() });
  await store.finishRun(complete, { status: 'done', exitCode: 1, finishedAtMs: Date.now() });
  const refused = await runCli(['run', '--resume', complete, '--db', db]);
  t.is(refused.exitCode, 2);
  t.regex(refused.stderr, new RegExp(`^pathprobe: run ${complete} already finished with everything measured \\(exit 1\\); nothing to resume`));
});

test('serve stores its scheduled runs in PostgreSQL and stops cleanly on SIGTERM', async (t) => {
  const db = await postgres.createDatabase();
  const plan = await unreachablePlan(t);
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--plan', plan, '--cron', '*/1 * * * * *', '--metrics', '127.0.0.1:0', '--jitter', '0', '--db', db],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000; // a loaded CI machine can take long to start node
  while (!/run \S+ done in/.test(stderr) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  t.is(await exited, 0, stderr);

  const runId = /run (r\d{8}-\d{6}-[0-9a-f]{4}) done in/.exec(stderr)?.[1];
  t.truthy(runId, stderr);
  t.regex(stderr, new RegExp(`run ${runId} started \\(stored in postgres://pathprobe@127\\.0\\.0\\.1:${postgres.port}/t\\d+\\)`));
  const runs = await runCli(['runs', '--json', '--db', db]);
  t.is(runs.exitCode, 0, runs.stderr);
  t.like((JSON.parse(runs.stdout) as RunSummary[]).find((r) => r.runId === runId), { status: 'done', exitCode: 3, pmtu: 1 });
});

test('a PostgreSQL that refuses the connection or lacks the database: exit 2, one line, no password', async (t) => {
  const closed = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  for (const [args, message] of [
    [['runs', '--db', `postgres://pathprobe:s3cret-pw@127.0.0.1:${closed}/runs`],
      `pathprobe: cannot open --db postgres://pathprobe:***@127.0.0.1:${closed}/runs: connection refused\n`],
    [['report', 'r20260101-000000-dead', '--db', `postgres://pathprobe:s3cret-pw@127.0.0.1:${postgres.port}/nosuchdb`],
      `pathprobe: cannot open --db postgres://pathprobe:***@127.0.0.1:${postgres.port}/nosuchdb: database "nosuchdb" does not exist\n`],
  ] as const) {
    const result = await runCli(args);
    t.is(result.exitCode, 2, result.stderr);
    t.is(result.stderr.split('\n')[0] + '\n', message);
    t.notRegex(result.stderr, /s3cret-pw/);
    t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
    t.is(result.stdout, '');
  }
});
