import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunReport } from '../../controller/model/runReport.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';
import { CLI_MAIN } from '../helpers/repoPaths.js';
import { runCli } from '../helpers/runCli.js';
import { storeRun } from '../helpers/storeRackRun.js';

async function storedRun(t: ExecutionContext): Promise<{ db: string; runId: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-reportcli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const db = join(dir, 'pathprobe.sqlite');
  return { db, runId: await storeRun(db, Date.UTC(2026, 0, 5, 2, 0, 0)) };
}

test('report --json prints the run as run/v1 with every pair on a line of its own', async (t) => {
  const { db, runId } = await storedRun(t);
  const result = await runCli(['report', runId, '--db', db, '--json']);
  t.is(result.exitCode, 1, result.stderr);
  const report = JSON.parse(result.stdout) as RunReport;
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  t.is(report.pairs.length, 21);
  const pairLines = result.stdout.split('\n').filter((line) => line.startsWith('{"pair":'));
  t.deepEqual(pairLines.map((line) => (JSON.parse(line.replace(/,$/, '')) as RunReport['pairs'][number]).pair.id), report.pairs.map((p) => p.pair.id));
});

test('report --json into a reader that stops early (| head -c 100) ends quietly with the run\'s own status', async (t) => {
  const { db, runId } = await storedRun(t);
  // A real pipe, as a shell makes it (Node's own 'pipe' is a socket pair, which fails differently).
  const script = '"$@" | head -c 100 > /dev/null; exit "${PIPESTATUS[0]}"';
  const child = spawn('bash', ['-c', script, 'bash', process.execPath, CLI_MAIN, 'report', runId, '--db', db, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  t.is(stderr, '', 'a reader that has read enough is not an error');
  t.is(code, 1, 'the run\'s own exit status (a finding), not a crash');
});
