import test from 'ava';
import { readFile } from 'node:fs/promises';
import { rack, rackSwitchOf } from '../../scripts/lab/topologies.js';
import { RunStore } from '../../controller/store/RunStore.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { writeRackPlan } from '../helpers/rackPlan.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

test.serial('a rack of 6 hosts plus one behind a silently capped second switch: the run names that switch, every other pair passes', async (t) => {
  const topology = rack({ hosts: 6, secondSwitchHosts: 1, secondSwitchCapBytes: 1500 });
  const env = await labWithAgents(t, topology);
  const files = await writeRackPlan(env.lab, env.agents, 'expect: { pathMtu: 9000 }\ntests: [pmtu]\n', (host) => rackSwitchOf(topology, host));
  t.teardown(() => files.remove());
  const htmlPath = `${files.dir}/report.html`;
  const result = await env.agents.cli(['run', files.planPath, '--db', files.dbPath, '--json', '--html', htmlPath], { timeoutMs: 120_000 });
  t.is(result.exitCode, 1, result.stderr);
  t.regex(result.stderr, /plan: 21 pairs, about .*, path-MTU probes at most /, 'an estimate of time and bytes before anything runs');
  const report = JSON.parse(result.stdout);
  t.is(report.schema, 'pathprobe.run/v1');
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  t.regex(report.runId, /^r\d{8}-\d{6}-[0-9a-f]{4}$/);
  t.is(report.pairs.length, 21);
  for (const pair of report.pairs) {
    const withH7 = pair.pair.a.agent === 'h7' || pair.pair.b.agent === 'h7';
    for (const d of [pair.pmtu.forward, pair.pmtu.reverse]) {
      t.is(d.verdict, withH7 ? 'silent-drop' : 'ok', `${pair.pair.id}: ${JSON.stringify(d.error ?? d.explanation)}`);
      t.is(d.pathMtu, withH7 ? 1500 : 9000, pair.pair.id);
    }
  }
  const culprits = report.findings.filter((f: any) => f.kind === 'culprit-switch');
  t.is(culprits.length, 1);
  t.is(culprits[0].scope, `switch=${rackSwitchOf(topology, 'h7')}`);
  t.true(culprits[0].repro.some((command: string) => /^ping -M do -s 1473 -c 3 (-I \S+ )?198\.18\.1\.7 /.test(command)), culprits[0].repro.join(' | '));
  const expectation = report.expectations.find((e: any) => e.name === 'pathMtu');
  t.false(expectation.pass);
  t.is(expectation.failed, 12, 'the 6 pairs with h7, both directions');
  t.is(expectation.passed, 30);
  const html = await readFile(htmlPath, 'utf8');
  t.regex(html, new RegExp(`switch=${rackSwitchOf(topology, 'h7')}|${rackSwitchOf(topology, 'h7')}`));

  // The run is stored and can be listed and rendered again.
  const runs = await env.agents.cli(['runs', '--db', files.dbPath, '--json']);
  t.is(JSON.parse(runs.stdout)[0].runId, report.runId);
  const again = await env.agents.cli(['report', report.runId, '--db', files.dbPath, '--json']);
  t.is(again.exitCode, 1);
  assertMatchesContract(t, 'pathprobe.run/v1', JSON.parse(again.stdout));
  t.deepEqual(JSON.parse(again.stdout).findings, report.findings);
});

const THROUGHPUT_PLAN = 'tests: [pmtu, throughput]\nthroughput: { streams: [1], duration: 1s, repeats: 1 }\n';

async function cellKeys(store: RunStore, runId: string): Promise<string[]> {
  return (await store.loadResults(runId))!.cells.map((c) => `${c.pairId}/${c.record.direction}/${c.record.row}/${c.record.streams}/${c.record.repeat}`).sort();
}

test.serial('throughput runs in rounds where no host is in two tests at once, proved by the stored times', async (t) => {
  const topology = rack({ hosts: 4, secondSwitchHosts: 0 });
  const env = await labWithAgents(t, topology);
  const files = await writeRackPlan(env.lab, env.agents, THROUGHPUT_PLAN, (host) => rackSwitchOf(topology, host));
  t.teardown(() => files.remove());
  const result = await env.agents.cli(['run', files.planPath, '--db', files.dbPath, '--json'], { timeoutMs: 300_000 });
  t.is(result.exitCode, 0, result.stderr);
  const runId = JSON.parse(result.stdout).runId;
  const store = await RunStore.open(files.dbPath);
  t.teardown(() => store.close());
  const cells = (await store.loadResults(runId))!.cells;
  // 6 pairs × 2 directions × (1500 + jumbo) × 1 stream count × 1 repeat.
  t.is(cells.length, 24);
  const busy = new Map<string, Array<[number, number, string]>>();
  for (const cell of cells) {
    for (const host of cell.pairId.split('~').map((end) => end.split('/')[0]!)) {
      busy.set(host, [...(busy.get(host) ?? []), [cell.startedAtMs, cell.endedAtMs, cell.pairId]]);
    }
  }
  for (const [host, spans] of busy) {
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i += 1) {
      const [prev, next] = [spans[i - 1]!, spans[i]!];
      t.true(next[0] >= prev[1] || next[2] === prev[2], `${host} in ${prev[2]} and ${next[2]} at once`);
    }
  }
});

test.serial('a controller killed at several random points of a run resumes each time, and ends with every pair and cell once', async (t) => {
  t.timeout(360_000);
  const topology = rack({ hosts: 4, secondSwitchHosts: 0 });
  const env = await labWithAgents(t, topology);
  const files = await writeRackPlan(env.lab, env.agents, THROUGHPUT_PLAN, (host) => rackSwitchOf(topology, host));
  t.teardown(() => files.remove());
  // 6 pairs and 24 cells are stored one by one; a kill lands after a random number of them (0:
  // during the facts), and again in the resumed run. The seed is logged to replay a failure.
  const seed = Number(process.env.PATHPROBE_KILL_SEED ?? Date.now() % 100_000);
  t.log(`kill seed ${seed} (PATHPROBE_KILL_SEED=${seed} replays it)`);
  let state = seed;
  const random = (n: number) => { state = (state * 1103515245 + 12345) % 2 ** 31; return state % n; };
  const killAfter = [random(4), 2 + random(6), 1 + random(8)];
  t.log(`kills after ${killAfter.join(', ')} stored results`);

  let runId = '';
  let store: RunStore | null = null;
  t.teardown(() => store?.close());
  const kept = new Map<string, number>();
  for (const [attempt, results] of killAfter.entries()) {
    const args = attempt === 0 ? ['run', files.planPath, '--db', files.dbPath] : ['run', '--resume', runId, '--db', files.dbPath];
    const run = env.agents.spawnCli(args);
    t.teardown(() => run.stop().then(() => undefined));
    run.stdout!.resume();
    let stderr = '';
    const finished = await new Promise<boolean>((resolve) => {
      run.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        runId ||= /run (r\d{8}-\d{6}-[0-9a-f]{4})/.exec(stderr)?.[1] ?? '';
        // One line per stored result: a pair's path MTU, or a throughput cell.
        if (runId && (stderr.match(/^(pmtu h\d |h\d→h\d )/gm) ?? []).length >= results) resolve(false);
      });
      void run.result.then(() => resolve(true));
    });
    if (finished) break;
    run.kill('SIGKILL');
    await run.result;
    t.log(`attempt ${attempt + 1}: killed after ${results} results`);
    store ??= await RunStore.open(files.dbPath);
    // Whatever was stored before a kill stays as it was, through every later attempt.
    for (const c of (await store.loadResults(runId))!.cells) {
      const key = `${c.pairId}/${c.record.direction}/${c.record.row}`;
      if (!kept.has(key)) kept.set(key, c.startedAtMs);
    }
  }
  t.truthy(runId);

  const resumed = await env.agents.cli(['run', '--resume', runId, '--db', files.dbPath, '--json'], { timeoutMs: 300_000 });
  t.is(resumed.exitCode, 0, resumed.stderr);
  store ??= await RunStore.open(files.dbPath);
  const keys = await cellKeys(store, runId);
  t.is(keys.length, 24);
  t.is(new Set(keys).size, 24, 'no duplicates');
  // The same set of pairs and cells a clean run of this plan has: every pair, direction and row once.
  const pairs = JSON.parse(resumed.stdout).pairs.map((p: any) => p.pair.id);
  t.is(pairs.length, 6);
  t.is((await store.loadResults(runId))!.pmtu.size, 6);
  const expected = pairs.flatMap((id: string) => ['forward', 'reverse'].flatMap((d) => ['1500', 'jumbo'].map((row) => `${id}/${d}/${row}/1/1`))).sort();
  t.deepEqual(keys, expected);
  for (const c of (await store.loadResults(runId))!.cells) {
    const key = `${c.pairId}/${c.record.direction}/${c.record.row}`;
    if (kept.has(key)) t.is(c.startedAtMs, kept.get(key)!, `${key}: measured before a kill, kept`);
  }
});
