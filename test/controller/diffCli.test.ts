import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRun, storedRunReport } from '../../controller/run/runService.js';

import { planKeyOf } from '../../controller/diff/planKey.js';
import { RunStore } from '../../controller/store/RunStore.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import { runCli } from '../helpers/runCli.js';
import { storeRun, throttled } from '../helpers/storeRackRun.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';
import type { RunDiff } from '../../controller/model/runDiff.js';
import type { RunReport } from '../../controller/model/runReport.js';

/** The diff `run --compare baseline` attaches, or null when there is nothing to compare with. */
async function compareWithBaseline(store: RunStore, report: RunReport) {
  const compared = await compareRun(store, report, 'baseline');
  return 'comparison' in compared ? compared.comparison : null;
}

/*
 * `pathprobe diff` and `pathprobe baseline set` end to end without a lab: runs of the rack-12
 * fixture are written straight into a temporary SQLite file, the CLI rebuilds them from there.
 */

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-diffcli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}


const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const DAY = 86_400_000;

test('diff of two unknown runs exits 2 with one line naming them', async (t) => {
  const db = join(await tempDir(t), 'pathprobe.sqlite');
  const result = await runCli(['diff', 'r20260101-000000-dead', 'r20260102-000000-beef', '--db', db]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /^pathprobe: no run r20260101-000000-dead or r20260102-000000-beef in .*pathprobe\.sqlite/);
  t.is(result.stdout, '');
  t.notRegex(result.stderr, /\n\s+at /);
});

test('diff of two stored runs: exit 1 with the throttled pair in the table and the JSON; exit 0 for an unchanged lab', async (t) => {
  const db = join(await tempDir(t), 'pathprobe.sqlite');
  const base = await storeRun(db, T0);
  const same = await storeRun(db, T0 + DAY);
  const slow = await storeRun(db, T0 + 2 * DAY, { retune: throttled });

  const unchanged = await runCli(['diff', base, same, '--db', db]);
  t.is(unchanged.exitCode, 0, unchanged.stderr);
  t.regex(unchanged.stdout, new RegExp(`^pathprobe diff ${base} .* → ${same} `));
  t.regex(unchanged.stdout, /\nno regression\n/);
  t.regex(unchanged.stdout, /unchanged: 21 pairs/);

  const regressed = await runCli(['diff', base, slow, '--db', db]);
  t.is(regressed.exitCode, 1, regressed.stderr);
  t.regex(regressed.stdout, /REGRESSED: 4 regressions on 1 pair/);
  t.regex(regressed.stdout, /h3 198\.18\.1\.13 ↔ h4 198\.18\.1\.14 {2}REGRESSED\n {2}h3 → h4 \(forward\)/);
  t.regex(regressed.stdout, /throughput jumbo P4 .* −40\.0 % beyond noise +REGRESSION/);

  const json = await runCli(['diff', base, slow, '--json', '--db', db]);
  t.is(json.exitCode, 1);
  const diff = JSON.parse(json.stdout) as RunDiff;
  t.is(diff.schema, 'pathprobe.diff/v1');
  assertMatchesContract(t, 'pathprobe.diff/v1', diff);
  t.true(diff.regressed);
  t.deepEqual([...new Set(diff.changes.map((c) => `${c.pairId} ${c.direction}`))], ['h3/198.18.1.13~h4/198.18.1.14 forward']);

  // a higher threshold than the drop: nothing counts
  const lenient = await runCli(['diff', base, slow, '--threshold', '50', '--db', db]);
  t.is(lenient.exitCode, 0, lenient.stdout);
});

test('baseline set: prints what was set; compareWithBaseline then diffs a later run against it', async (t) => {
  const dir = await tempDir(t);
  const db = join(dir, 'pathprobe.sqlite');
  const base = await storeRun(db, T0);
  const slow = await storeRun(db, T0 + DAY, { retune: throttled });
  const interrupted = await storeRun(db, T0 + 2 * DAY, { status: 'interrupted' });

  const set = await runCli(['baseline', 'set', base, '--db', db]);
  t.is(set.exitCode, 0, set.stderr);
  t.regex(set.stdout, new RegExp(`^baseline of racks/rack12\\.yaml \\(plan-[0-9a-f]{16}\\): ${base}, started 2026-01-05T02:00:00\\.000Z\\n$`));

  const unknown = await runCli(['baseline', 'set', 'r20260101-000000-dead', '--db', db]);
  t.is(unknown.exitCode, 2);
  t.regex(unknown.stderr, /^pathprobe: no run r20260101-000000-dead in [^\n]*\n/);
  const notDone = await runCli(['baseline', 'set', interrupted, '--db', db]);
  t.is(notDone.exitCode, 2);
  t.regex(notDone.stderr, /is interrupted, not finished/);

  // --plan FILE: the same agents and addresses give the same key, wherever the file lives
  const report = rackRun();
  await writeFile(join(dir, 'token'), 'secret-token\n');
  await writeFile(join(dir, 'rack12.yaml'), [
    'tokenFile: ./token',
    'agents:',
    ...report.plan.agents.map((a) => `  - { name: ${a.name}, url: "${a.url}", addresses: [${(a.addresses as string[]).join(', ')}] }`),
    '',
  ].join('\n'));
  const byFile = await runCli(['baseline', 'set', base, '--plan', join(dir, 'rack12.yaml'), '--db', db]);
  t.is(byFile.exitCode, 0, byFile.stderr);
  t.regex(byFile.stdout, new RegExp(`\\(${planKeyOf(report.plan)}\\): ${base}, .* \\(unchanged\\)\\n$`));
  t.is(byFile.stderr, '');

  const store = await RunStore.open(db);
  t.teardown(() => store.close());
  t.is((await store.getBaseline(planKeyOf(report.plan)))?.runId, base);
  const next = await storedRunReport(store, slow);
  const diff = (await compareWithBaseline(store, next))!;
  t.is(diff.base.runId, base);
  t.is(diff.next.runId, slow);
  t.true(diff.regressed);
  t.is(await compareWithBaseline(store, await storedRunReport(store, base)), null, 'the baseline itself has nothing to compare with');
  t.is(await compareWithBaseline(store, { ...next, plan: { ...next.plan, agents: next.plan.agents.slice(1) } }), null, 'another plan has no baseline');
});
