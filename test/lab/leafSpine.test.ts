import test, { type ExecutionContext } from 'ava';
import { leafSpine } from '../../scripts/lab/topologies.js';
import { labWithAgents, type LabWithAgents } from '../helpers/pmtuInLab.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

/*
 * A leaf-spine fabric with one faulty spine: h1 — lf1 ⇉ sp1, sp2 ⇉ lf2 — h2, all at 9000, flows
 * hashed over the spines by L4 5-tuple. What TCP sees depends on how the spine fails.
 */

async function throughputJson(t: ExecutionContext, { lab, agents }: LabWithAgents, family: 'v4' | 'v6') {
  const result = await agents.cli(['throughput', '--from', agents.urls.h1!, '--to', agents.urls.h2!,
    '--from-address', lab.hosts.h1![family], '--to-address', lab.hosts.h2![family], '--token-file', agents.tokenFile, '--json',
    '--streams', '8', '--duration', '2s', '--repeats', '1', '--direction', 'forward'], { timeoutMs: 150_000 });
  if (!result.stdout.trim().startsWith('{')) throw new Error(`no JSON (exit ${result.exitCode}): ${result.stderr.trim()}`);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.throughput/v1', report);
  const forward = report.matrix.directions[0];
  t.log(`${family}: ${forward.jumboVerdict.explanation}`);
  return { exitCode: result.exitCode, forward, rows: Object.fromEntries(forward.rows.map((r: any) => [r.row.row, r])) };
}

test.serial('a spine that silently drops above 1500 stalls only the streams hashed onto it, v4 and v6', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultCapBytes: 1500, faultIcmp: false }));
  for (const family of ['v4', 'v6'] as const) {
    const { exitCode, forward, rows } = await throughputJson(t, env, family);
    t.is(exitCode, 1);
    // 8 streams all on one of two spines: 2 × 2^-8.
    const jumbo = rows.jumbo.cells[0];
    t.true(jumbo.partialStall, `${family}: ${JSON.stringify(jumbo.stalledStreams)}`);
    t.true(jumbo.stalledStreams.stalled > 0 && jumbo.stalledStreams.stalled < 8, family);
    t.is(forward.jumboVerdict.stall, 'partial', family);
    t.false(rows['1500'].cells[0].stalled, `${family}: 1500-byte packets cross every spine`);
  }
});

test.serial('a spine that says frag-needed lets TCP adapt: no stream of either row stalls', async (t) => {
  t.timeout(240_000);
  const env = await labWithAgents(t, leafSpine({ spines: 2, faultCapBytes: 1500, faultIcmp: true }));
  const { forward, rows } = await throughputJson(t, env, 'v4');
  for (const cell of [...rows['1500'].cells, ...rows.jumbo.cells]) {
    t.false(cell.stalled, `${cell.row} P${cell.streams}: ${JSON.stringify(cell.stalledStreams)}`);
    t.is(cell.status, 'measured');
  }
  t.not(forward.jumboVerdict.verdict, 'jumbo-stalled');
});
