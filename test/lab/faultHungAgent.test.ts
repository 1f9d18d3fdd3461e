import test from 'ava';
import { rack, rackSwitchOf } from '../../scripts/lab/topologies.js';
import { RunStore } from '../../controller/store/RunStore.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { writeRackPlan } from '../helpers/rackPlan.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

/*
 * A hung agent (SIGSTOP): its kernel still accepts connections, and nothing answers. The run is
 * bounded by deadlines: one short deadline for the agent that hung before the run, health checks
 * for the one that hangs in the middle of its sweeps, and no further wait for either.
 */

const withHost = (pair: any, host: string) => pair.pair.a.agent === host || pair.pair.b.agent === host;

test.serial('hung agents cost the run short deadlines, only their pairs are marked with why, and --resume finishes once they wake', async (t) => {
  t.timeout(240_000);
  const topology = rack({ hosts: 4, secondSwitchHosts: 0 });
  const env = await labWithAgents(t, topology);
  const files = await writeRackPlan(env.lab, env.agents, 'tests: [pmtu]\n', (host) => rackSwitchOf(topology, host));
  t.teardown(() => files.remove());
  // Woken whatever happens, so that the lab's teardown stops them as it stops any agent.
  t.teardown(() => { env.agents.signal('h4', 'SIGCONT'); env.agents.signal('h3', 'SIGCONT'); });

  env.agents.signal('h4', 'SIGSTOP');
  const run = env.agents.spawnCli(['run', files.planPath, '--db', files.dbPath, '--json'], { timeoutMs: 200_000 });
  t.teardown(() => run.stop().then(() => undefined));
  let stderr = '';
  run.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    // h3 hangs once the path-MTU phase starts, with its sweeps in flight.
    if (!/\[pmtu\]/.test(stderr) && /\[pmtu\]/.test(stderr + chunk)) env.agents.signal('h3', 'SIGSTOP');
    stderr += chunk;
  });
  let stdout = '';
  run.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  const result = await run.result;
  t.log(`run took ${Math.round(result.durationMs / 1000)} s`);
  t.log(stderr);
  t.is(result.exitCode, 3, 'a run with unmeasured pairs');
  t.regex(stderr, /h4: agent \S+ unreachable: no answer to GET \/v1\/facts in \d+ s/, 'h4 cost one deadline, at its facts');
  const report = JSON.parse(stdout);
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  t.is(report.pairs.length, 6);
  for (const pair of report.pairs) {
    if (withHost(pair, 'h4')) {
      t.is(pair.pmtu, null, pair.pair.id);
      t.regex(pair.pmtuError.message, /has not answered since \d\d:\d\d:\d\d \(no answer to GET \/v1\/facts in \d+ s\); not waiting for it again/, pair.pair.id);
    } else if (withHost(pair, 'h3')) {
      // Stopped in the middle of its pairs: a request to it met its deadline, or its health checks
      // went unanswered during a sweep, or it had been found silent already; or measured just before.
      if (pair.pmtu === null) t.regex(pair.pmtuError.message, /unreachable: no answer to \S+ \S+ in \d+ s|has not answered since .*(health checks in a row got no answer|no answer to)/, pair.pair.id);
    } else {
      t.deepEqual([pair.pmtu.forward.pathMtu, pair.pmtu.reverse.pathMtu], [9000, 9000], pair.pair.id);
    }
  }
  t.true(report.pairs.some((p: any) => withHost(p, 'h3') && p.pmtu === null), 'h3 hung with a sweep in flight');

  env.agents.signal('h4', 'SIGCONT');
  env.agents.signal('h3', 'SIGCONT');
  const store = await RunStore.open(files.dbPath);
  t.teardown(() => store.close());
  const measuredBefore = new Map([...(await store.loadResults(report.runId))!.pmtu].filter(([, o]) => 'report' in o));
  const resumed = await env.agents.cli(['run', '--resume', report.runId, '--db', files.dbPath, '--json'], { timeoutMs: 120_000 });
  t.is(resumed.exitCode, 0, resumed.stderr);
  const after = JSON.parse(resumed.stdout);
  for (const pair of after.pairs) t.deepEqual([pair.pmtu?.forward.pathMtu, pair.pmtu?.reverse.pathMtu], [9000, 9000], pair.pair.id);
  const stored = (await store.loadResults(report.runId))!.pmtu;
  for (const [pairId, outcome] of measuredBefore) t.deepEqual(stored.get(pairId), outcome, `${pairId}: measured before, kept as it was`);
});
