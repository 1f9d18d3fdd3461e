import test from 'ava';
import Database from 'better-sqlite3';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RunStore } from '../../controller/store/RunStore.js';
import { rack, rackSwitchOf } from '../../scripts/lab/topologies.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { writeRackPlan } from '../helpers/rackPlan.js';
import { mountTmpfs } from '../helpers/tmpfs.js';

/** Writes into `path` until the file system has no block left (ENOSPC). */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0xa5);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // The last partial chunk: fill what is left of the file system byte-wise in smaller steps.
        for (let size = 32 * 1024; size >= 512; size /= 2) {
          try { for (;;) writeSync(fd, chunk.subarray(0, size)); } catch (more) {
            if ((more as NodeJS.ErrnoException).code !== 'ENOSPC') throw more;
          }
        }
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

test.serial('the store\'s disk fills mid-run: one clear line and exit 3, nothing committed lost, and --resume finishes the run once there is room', async (t) => {
  const topology = rack({ hosts: 4, secondSwitchHosts: 0 });
  const env = await labWithAgents(t, topology);
  // One pair at a time, so the disk fills between two pairs' saves, never after the last.
  const files = await writeRackPlan(env.lab, env.agents, 'tests: [pmtu]\nconcurrency: { pmtuParallel: 1 }\n', (host) => rackSwitchOf(topology, host));
  t.teardown(() => files.remove());
  const disk = mountTmpfs(t, '4m');
  const dbPath = join(disk.dir, 'pathprobe.sqlite');
  const fillerPath = join(disk.dir, 'filler');

  const run = env.agents.spawnCli(['run', files.planPath, '--db', dbPath, '--json'], { timeoutMs: 60_000 });
  let stderr = '';
  let filled = false;
  run.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    // The second pair measured: the first is stored (a pair's line comes just before its save).
    // Now the disk fills, so a later pair's save finds it full.
    if (!filled && (stderr.match(/^pmtu /gm) ?? []).length >= 2) {
      filled = true;
      fillDisk(fillerPath);
    }
  });
  const result = await run.result;
  t.true(filled, `the disk was never filled: ${stderr}`);
  t.log(stderr.trim().split('\n').slice(-3).join('\n'));

  t.is(result.exitCode, 3, result.stderr);
  const lastLine = result.stderr.trim().split('\n').at(-1)!;
  const runId = /--resume (r\d{8}-\d{6}-[0-9a-f]{4}) /.exec(lastLine)?.[1];
  t.truthy(runId, lastLine);
  t.regex(lastLine, new RegExp(`^pathprobe: cannot store the path-MTU result of h\\d/[\\d.]+~h\\d/[\\d.]+: the disk holding ${dbPath} is full \\(SQLITE_FULL\\); `
    + `everything stored so far is kept; free space, then: pathprobe run --resume ${runId} --db ${dbPath}$`));
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  t.is(result.stdout, '', 'no report of a run that did not finish');

  // Still full: the file as the failed run left it is sound.
  const check = new Database(dbPath, { readonly: true });
  t.is(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();

  rmSync(fillerPath);
  const store = await RunStore.open(dbPath);
  t.teardown(() => store.close());
  const before = (await store.loadResults(runId!))!.pmtu;
  t.true(before.size >= 1 && before.size < 6, `${before.size} of 6 pairs stored before the disk filled`);
  t.not((await store.getRun(runId!))!.status, 'done');

  const resumed = await env.agents.cli(['run', '--resume', runId!, '--db', dbPath, '--json'], { timeoutMs: 60_000 });
  t.is(resumed.exitCode, 0, resumed.stderr);
  const report = JSON.parse(resumed.stdout);
  const planned = report.pairs.map((p: { pair: { id: string } }) => p.pair.id).sort();
  t.is(planned.length, 6);
  const rows = new Database(dbPath, { readonly: true });
  t.teardown(() => rows.close());
  const stored = rows.prepare('SELECT pair_id FROM pmtu WHERE run_id = ?').all(runId).map((r) => (r as { pair_id: string }).pair_id).sort();
  t.deepEqual(stored, planned, 'every pair exactly once');
  const after = (await store.loadResults(runId!))!.pmtu;
  for (const [pairId, outcome] of before) t.deepEqual(after.get(pairId), outcome, `${pairId} kept as it was stored before the disk filled`);
  t.is((await store.getRun(runId!))!.status, 'done');
});
