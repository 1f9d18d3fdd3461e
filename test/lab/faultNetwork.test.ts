import test, { type ExecutionContext } from 'ava';
import { rack, rackSwitchOf } from '../../scripts/lab/topologies.js';
import type { Lab } from '../../scripts/lab/lab.js';
import type { StartedProcess } from '../../scripts/lab/run.js';
import { RunStore } from '../../controller/store/RunStore.js';
import type { PmtuOutcome } from '../../controller/model/runResults.js';
import { labWithAgents, type LabWithAgents } from '../helpers/pmtuInLab.js';
import { writeRackPlan, type RackPlanFiles } from '../helpers/rackPlan.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

/*
 * The network fails in the middle of a run: the management network toward one agent (an nft drop
 * of its API port, then healed), or a host's data link (set down, then up). One pair at a time,
 * so that "the middle" is after a known number of pairs.
 */

const PLAN = 'tests: [pmtu]\nconcurrency: { pmtuParallel: 1 }\n';
const withHost = (pairId: string, host: string) => pairId.split('~').some((end) => end.startsWith(`${host}/`));

async function sh(t: ExecutionContext, lab: Lab, node: string, argv: string[], input?: string): Promise<void> {
  const result = await lab.exec(node, argv, input === undefined ? {} : { input });
  t.is(result.exitCode, 0, `${node}: ${argv.join(' ')}: ${result.stderr}`);
}

/** A rack of 4 hosts with its agents, and a path-MTU plan over it. */
async function rackOfFour(t: ExecutionContext): Promise<{ env: LabWithAgents; files: RackPlanFiles }> {
  const topology = rack({ hosts: 4, secondSwitchHosts: 0 });
  const env = await labWithAgents(t, topology);
  const files = await writeRackPlan(env.lab, env.agents, PLAN, (host) => rackSwitchOf(topology, host));
  t.teardown(() => files.remove());
  return { env, files };
}

/** `pathprobe run PLAN --json`, started; its JSON is read once it has ended. */
function spawnRun(t: ExecutionContext, env: LabWithAgents, files: RackPlanFiles): { run: StartedProcess; stdout: () => string } {
  const run = env.agents.spawnCli(['run', files.planPath, '--db', files.dbPath, '--json'], { timeoutMs: 180_000 });
  t.teardown(() => run.stop().then(() => undefined));
  let text = '';
  run.stdout?.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
  return { run, stdout: () => text };
}

/** Calls `then` once, when `count` pair lines have been printed. */
function afterPairs(run: StartedProcess, count: number, then: () => Promise<void>): { stderr: () => string; acted: Promise<void> } {
  let text = '';
  let resolveActed: () => void;
  const acted = new Promise<void>((resolve) => { resolveActed = resolve; });
  let fired = false;
  run.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    if (!fired && (text.match(/^pmtu h\d /gm) ?? []).length >= count) {
      fired = true;
      void then().then(() => resolveActed());
    }
  });
  return { stderr: () => text, acted };
}

async function storedPmtu(t: ExecutionContext, dbPath: string, runId: string): Promise<Map<string, PmtuOutcome>> {
  const store = await RunStore.open(dbPath);
  try {
    return new Map((await store.loadResults(runId))!.pmtu);
  } finally {
    await store.close();
  }
}

test.serial('a management network cut toward one agent mid-run: only its later pairs are marked, with why; healed, --resume finishes them', async (t) => {
  t.timeout(240_000);
  const { env, files } = await rackOfFour(t);
  const ruleset = 'table inet partition {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 7420 drop\n  }\n}\n';
  let cut = false;
  t.teardown(async () => { if (cut) await env.lab.exec('h4', ['nft', 'delete', 'table', 'inet', 'partition']); });

  const { run, stdout } = spawnRun(t, env, files);
  // Plan order: h1~h2, h1~h3, h1~h4, h2~h3, h2~h4, h3~h4. Cut after the first pair, while h1~h3 runs.
  const progress = afterPairs(run, 1, async () => { await sh(t, env.lab, 'h4', ['nft', '-f', '-'], ruleset); cut = true; });
  const result = await run.result;
  t.log(progress.stderr());
  t.is(result.exitCode, 3, 'unmeasured pairs');
  const report = JSON.parse(stdout());
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  for (const pair of report.pairs) {
    if (withHost(pair.pair.id, 'h4') && pair.pmtu === null) {
      t.regex(pair.pmtuError.message, /agent http:\/\/198\.19\.0\.4:7420 (unreachable: (connect timed out|no answer to \S+ \S+ in \d+ s)|has not answered since)/, pair.pair.id);
    } else {
      t.deepEqual([pair.pmtu.forward.pathMtu, pair.pmtu.reverse.pathMtu], [9000, 9000], pair.pair.id);
    }
  }
  // A loaded machine may finish h1~h3 before the cut holds, and h1~h4 would then be measured.
  const cutOff = report.pairs.filter((p: any) => p.pmtu === null);
  t.true(cutOff.length >= 2 && cutOff.every((p: any) => withHost(p.pair.id, 'h4')), 'h4\'s later pairs, only');
  t.true(cutOff.some((p: any) => /has not answered since/.test(p.pmtuError.message)), 'once h4 is known silent, its pairs do not wait');

  const before = await storedPmtu(t, files.dbPath, report.runId);
  await sh(t, env.lab, 'h4', ['nft', 'delete', 'table', 'inet', 'partition']);
  cut = false;
  const resumed = await env.agents.cli(['run', '--resume', report.runId, '--db', files.dbPath, '--json'], { timeoutMs: 120_000 });
  t.is(resumed.exitCode, 0, resumed.stderr);
  for (const pair of JSON.parse(resumed.stdout).pairs) t.deepEqual([pair.pmtu.forward.pathMtu, pair.pmtu.reverse.pathMtu], [9000, 9000], pair.pair.id);
  const after = await storedPmtu(t, files.dbPath, report.runId);
  for (const [pairId, outcome] of before) if ('report' in outcome) t.deepEqual(after.get(pairId), outcome, `${pairId}: kept as measured`);
});

test.serial('a data link set down mid-run: the pairs over it say unreachable, the others and everything measured before stand', async (t) => {
  t.timeout(240_000);
  const { env, files } = await rackOfFour(t);
  t.teardown(async () => { await env.lab.exec('h4', ['ip', 'link', 'set', 'eth0', 'up']); });

  const { run, stdout } = spawnRun(t, env, files);
  const progress = afterPairs(run, 1, () => sh(t, env.lab, 'h4', ['ip', 'link', 'set', 'eth0', 'down']));
  const result = await run.result;
  t.log(progress.stderr());
  t.not(result.exitCode, 0);
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  const report = JSON.parse(stdout());
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  for (const pair of report.pairs) {
    if (withHost(pair.pair.id, 'h4') && pair.pair.id !== report.pairs[2].pair.id) {
      // Down before these pairs (h1~h4 may have raced the link): each direction is unreachable,
      // or the pair could not run, each with why.
      const directions = pair.pmtu === null ? [] : [pair.pmtu.forward, pair.pmtu.reverse];
      t.true(pair.pmtuError !== null || directions.every((d: any) => ['unreachable', 'error'].includes(d.verdict)), `${pair.pair.id}: ${JSON.stringify(pair.pmtu ?? pair.pmtuError).slice(0, 300)}`);
      for (const d of directions) t.truthy(d.explanation ?? d.error?.message, `${pair.pair.id} ${d.direction}: says why`);
    } else if (!withHost(pair.pair.id, 'h4')) {
      t.deepEqual([pair.pmtu.forward.pathMtu, pair.pmtu.reverse.pathMtu], [9000, 9000], pair.pair.id);
    }
  }
  t.true(report.findings.some((f: any) => f.severity === 'fail'), 'the run says something failed');
});

test.serial('an agent SIGKILLed mid-run: only its later pairs are marked, with why; restarted, --resume finishes them', async (t) => {
  t.timeout(240_000);
  const { env, files } = await rackOfFour(t);

  const { run, stdout } = spawnRun(t, env, files);
  const progress = afterPairs(run, 1, async () => env.agents.kill('h4'));
  const result = await run.result;
  t.log(progress.stderr());
  t.is(result.exitCode, 3, 'unmeasured pairs');
  const report = JSON.parse(stdout());
  const lost = report.pairs.filter((p: any) => p.pmtu === null);
  t.true(lost.length >= 2 && lost.every((p: any) => withHost(p.pair.id, 'h4')), 'h4\'s later pairs, only');
  for (const p of lost) t.regex(p.pmtuError.message, /agent http:\/\/198\.19\.0\.4:7420 unreachable: /, p.pair.id);

  const before = await storedPmtu(t, files.dbPath, report.runId);
  await env.agents.restart('h4');
  const resumed = await env.agents.cli(['run', '--resume', report.runId, '--db', files.dbPath, '--json'], { timeoutMs: 120_000 });
  t.is(resumed.exitCode, 0, resumed.stderr);
  for (const pair of JSON.parse(resumed.stdout).pairs) t.deepEqual([pair.pmtu.forward.pathMtu, pair.pmtu.reverse.pathMtu], [9000, 9000], pair.pair.id);
  const after = await storedPmtu(t, files.dbPath, report.runId);
  for (const [pairId, outcome] of before) if ('report' in outcome) t.deepEqual(after.get(pairId), outcome, `${pairId}: kept as measured`);
});
