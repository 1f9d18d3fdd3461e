import test, { type ExecutionContext } from 'ava';
import type { Readable } from 'node:stream';
import { cleanPath } from '../../scripts/lab/topologies.js';
import type { Lab } from '../../scripts/lab/lab.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { writeRackPlan } from '../helpers/rackPlan.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

/*
 * A peer too busy to answer is stood in for by h2 dropping UDP to its data address: its kernel
 * still answers echo, so both directions read inconclusive ('peer too slow'), as on a host whose
 * responder fell behind a crowd of sweeps. Lifting the drop is the crowd going away.
 */

const RETRY_LINE = /: a peer was too busy to answer; measuring it again alone\n/;

async function dropUdpToH2(t: ExecutionContext, lab: Lab): Promise<() => Promise<void>> {
  const h2 = lab.hosts.h2!.v4;
  const ruleset = `table inet busy {\n  chain input {\n    type filter hook input priority 0;\n    ip daddr ${h2} meta l4proto udp drop\n  }\n}\n`;
  const added = await lab.exec('h2', ['nft', '-f', '-'], { input: ruleset });
  t.is(added.exitCode, 0, added.stderr);
  let lifted: Promise<string> | null = null;
  const lift = () => (lifted ??= lab.exec('h2', ['nft', 'delete', 'table', 'inet', 'busy']).then((r) => (r.exitCode === 0 ? '' : r.stderr)));
  // A failed test still leaves h2 reachable for whatever the lab's teardown does.
  t.teardown(() => lift().then(() => undefined));
  return async () => {
    t.is(await lift(), '', 'the drop is lifted');
  };
}

function whenLine(stream: Readable | null, pattern: RegExp, then: () => Promise<void>): void {
  let text = '';
  let fired = false;
  stream?.on('data', (chunk: string) => {
    text += chunk;
    if (!fired && pattern.test(text)) {
      fired = true;
      void then();
    }
  });
}

test.serial('a pair left inconclusive by a busy peer is measured again alone once the crowd is done, and the second look stands', async (t) => {
  const env = await labWithAgents(t, cleanPath());
  const files = await writeRackPlan(env.lab, env.agents, 'tests: [pmtu]\n', () => 'sw1');
  t.teardown(() => files.remove());
  const lift = await dropUdpToH2(t, env.lab);
  const run = env.agents.spawnCli(['run', files.planPath, '--db', files.dbPath, '--json'], { timeoutMs: 120_000 });
  t.teardown(() => run.stop().then(() => undefined));
  whenLine(run.stderr, RETRY_LINE, lift);
  const result = await run.result;
  t.regex(result.stderr, /pmtu h1 .* → error, ← error/, 'the first look: both directions inconclusive');
  t.regex(result.stderr, RETRY_LINE);
  t.is(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.run/v1', report);
  for (const d of [report.pairs[0].pmtu.forward, report.pairs[0].pmtu.reverse]) {
    t.is(d.verdict, 'ok', JSON.stringify(d.error));
    t.is(d.pathMtu, 9000);
  }
  const stored = await env.agents.cli(['report', report.runId, '--db', files.dbPath, '--json']);
  t.is(JSON.parse(stored.stdout).pairs[0].pmtu.forward.verdict, 'ok', 'the second look is what the store keeps');
});

// A second look that is no better keeps the first (and the run exits 3): test/controller/secondLook.test.ts.
