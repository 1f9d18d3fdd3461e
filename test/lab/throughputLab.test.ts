import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rateLimited, silentCap, twoPathEcmp, cleanPath } from '../../scripts/lab/topologies.js';
import { goodputFraction } from '../../controller/throughput/throughputGoodput.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

function throughputArgs(env: Awaited<ReturnType<typeof labWithAgents>>, extra: string[]): string[] {
  const { lab, agents } = env;
  return ['throughput', '--from', agents.urls.h1!, '--to', agents.urls.h2!, '--from-address', lab.hosts.h1!.v4,
    '--to-address', lab.hosts.h2!.v4, '--token-file', agents.tokenFile, '--json', ...extra];
}

test.serial('on a rate-limited link the measured throughput matches the configured rate, both frame sizes', async (t) => {
  const env = await labWithAgents(t, rateLimited({ rateMbit: 200 }));
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-csv-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const csvPath = join(dir, 'matrix.csv');
  const result = await env.agents.cli(throughputArgs(env, ['--streams', '1', '--duration', '2s', '--repeats', '1', '--direction', 'forward', '--csv', csvPath]), { timeoutMs: 90_000 });
  t.true(result.exitCode === 0 || result.exitCode === 1, result.stderr);
  const report = JSON.parse(result.stdout);
  t.is(report.schema, 'pathprobe.throughput/v1');
  assertMatchesContract(t, 'pathprobe.throughput/v1', report);
  const measured = report.cells.find((c: any) => c.result);
  t.regex(measured.result.iperfVersion, /^iperf 3\./);
  t.regex(measured.receiverIperfVersion, /^iperf 3\./);
  t.is(measured.result.processes[0].congestionControl, 'cubic');
  t.true(measured.result.mssBytesObserved > 0);
  const csv = (await readFile(csvPath, 'utf8')).trim().split('\n');
  t.regex(csv[0]!, /^direction,route,row,mtuBytes,mssBytes,streams,status,/);
  t.is(csv.length, 1 + 2, 'a header and one line per cell');
  const forward = report.matrix.directions[0];
  t.deepEqual(forward.rows.map((r: any) => r.row.row), ['1500', 'jumbo']);
  for (const row of forward.rows) {
    const cell = row.cells[0];
    // tbf counts whole frames: what TCP can carry is the rate times this row's goodput fraction.
    const expected = 200e6 * goodputFraction(row.row.mtuBytes, 4);
    const ratio = cell.medianBitsPerSecond / expected;
    t.log(`${row.row.label}: ${(cell.medianBitsPerSecond / 1e6).toFixed(1)} Mbit/s, ${(ratio * 100).toFixed(1)} % of ${(expected / 1e6).toFixed(1)}`);
    // Tolerance for a shared 2-core CI machine running other lab tests at the same time.
    t.true(ratio > 0.85 && ratio < 1.06, `${row.row.label} ratio ${ratio}`);
  }
});

test.serial('with two paths and per-flow hashing the sweet spot is more than one stream', async (t) => {
  const env = await labWithAgents(t, twoPathEcmp({ rateMbitPerPath: 100 }));
  // 8 flows all hashed onto one of two links: 2 × 2^-8, so the P8 cell sees both paths. Rates stay
  // low: every lab node shares this VM's 2 cores, and a busy core marks the cell tool-bound.
  const result = await env.agents.cli(throughputArgs(env, ['--streams', '1,8', '--duration', '2s', '--repeats', '2', '--direction', 'forward']), { timeoutMs: 120_000 });
  t.is(result.exitCode, 0, result.stderr);
  const row = JSON.parse(result.stdout).matrix.directions[0].rows[0];
  t.is(row.row.row, '1500');
  const [p1, p8] = row.cells.map((c: any) => c.medianBitsPerSecond);
  t.log(`P1 ${(p1 / 1e6).toFixed(0)} Mbit/s, P8 ${(p8 / 1e6).toFixed(0)} Mbit/s`);
  t.true(p8 > 1.5 * p1);
  t.is(row.sweetSpot.streams, 8, JSON.stringify({ sweetSpot: row.sweetSpot, toolBound: row.cells.map((c: any) => c.toolBoundReason) }));
});

test.serial('a silently capped switch makes jumbo stall while 1500 works, and the rest of the jumbo row is skipped', async (t) => {
  const env = await labWithAgents(t, silentCap({ capBytes: 4470 }));
  const started = Date.now();
  const result = await env.agents.cli(throughputArgs(env, ['--streams', '1,4', '--duration', '2s', '--repeats', '1', '--direction', 'forward']), { timeoutMs: 120_000 });
  const elapsedMs = Date.now() - started;
  t.is(result.exitCode, 1, result.stderr);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.throughput/v1', report);
  const forward = report.matrix.directions[0];
  const rows = Object.fromEntries(forward.rows.map((r: any) => [r.row.row, r]));
  t.deepEqual(Object.keys(rows), ['1500', 'jumbo', 'path']);
  t.is(rows.path.row.mssBytes, 4430);
  for (const cell of [...rows['1500'].cells, ...rows.path.cells]) t.is(cell.status, 'measured');
  t.true(rows.jumbo.cells[0].stalled);
  // The stalled cell itself ended on time (1 s warm-up + 2 s + the agent's 5 s margin), not at some hang's end.
  t.true(rows.jumbo.cells[0].runs[0].summary.elapsedMs <= 8000, `stalled cell took ${rows.jumbo.cells[0].runs[0].summary.elapsedMs} ms`);
  t.is(rows.jumbo.cells[1].status, 'skipped');
  t.is(forward.jumboVerdict.verdict, 'jumbo-stalled');
  t.true(forward.jumboVerdict.agreesWithPathMtu, JSON.stringify(forward.jumboVerdict));
  t.is(report.pmtu.forward.verdict, 'silent-drop');
  // 5 cells of 1 s warm-up + 2 s ran, one skipped: a stalled cell must not hang the command.
  t.true(elapsedMs < 60_000, `took ${elapsedMs} ms`);
});

test.serial('an agent killed mid-test gives that cell a clear error and keeps the cells already measured', async (t) => {
  const env = await labWithAgents(t, cleanPath({ mtuBytes: 1500 }));
  const cli = env.agents.spawnCli(throughputArgs(env, ['--streams', '1,2,4', '--duration', '3s', '--repeats', '1', '--direction', 'forward']));
  let stdout = '';
  let stderr = '';
  cli.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  const firstCell = new Promise<void>((resolve) => {
    cli.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (/forward 1500 P1 #1: /.test(stderr)) resolve();
    });
  });
  const exited = cli.result.then((r) => r.exitCode);
  await firstCell;
  // The P2 cell is running now (1 s warm-up + 3 s): the sending agent dies under it.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  env.agents.kill('h1');
  const exitCode = await exited;
  t.is(exitCode, 1, stderr);
  const report = JSON.parse(stdout);
  const [p1, p2, p4] = report.matrix.directions[0].rows[0].cells;
  t.is(p1.status, 'measured');
  t.true(p1.medianBitsPerSecond > 0);
  t.is(p2.status, 'error');
  t.regex(p2.errors[0].message, /agent http:\/\/198\.19\.0\.1:7420 unreachable/);
  t.is(p4.status, 'error');
});
