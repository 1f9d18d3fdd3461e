import test from 'ava';
import { fileURLToPath } from 'node:url';
import { run } from '../../scripts/lab/run.js';

/*
 * The short soak CI runs: the soak script as a child process, as `npm run soak` runs it, with a
 * lab of its own (torn down by the script), at a size that fits about a minute on 2 cores.
 * That the judgement catches a leak is test/scripts/soak/growth.test.ts.
 */

const SOAK = fileURLToPath(new URL('../../scripts/soak/soak.js', import.meta.url));
const SWEEPS = 80;
const CELLS = 6;

test.serial('a short soak: every sweep and cell answers, samples of both agents and the controller, no growth', async (t) => {
  t.timeout(150_000, 'a lab, 80 sweeps and 6 cells on 2 shared cores');
  const result = await run([process.execPath, SOAK, '--sweeps', String(SWEEPS), '--cells', String(CELLS), '--json'], { timeoutMs: 140_000 });
  t.log(`exit ${result.exitCode} in ${(result.durationMs / 1000).toFixed(1)} s`);
  t.log(result.stderr.trim());
  t.is(result.exitCode, 0, result.stderr.trim().split('\n').pop());
  const report = JSON.parse(result.stdout) as {
    ok: boolean; sweepsDone: number; cellsDone: number; failures: string[];
    samples: Array<{ ops: number; processes: Record<string, { rssBytes: number; fds: number; sockets: number; children: number }> }>;
  };
  t.true(report.ok);
  t.is(report.sweepsDone, SWEEPS);
  t.is(report.cellsDone, CELLS);
  t.deepEqual(report.failures, []);
  t.true(report.samples.length >= 20, `${report.samples.length} samples`);
  t.is(report.samples[report.samples.length - 1]!.ops, SWEEPS + CELLS);
  for (const sample of report.samples) {
    t.deepEqual(Object.keys(sample.processes).sort(), ['controller', 'h1', 'h2']);
    for (const p of Object.values(sample.processes)) {
      t.true(p.rssBytes > 10 * 1024 * 1024 && p.fds > 0 && p.sockets > 0, JSON.stringify(p));
    }
  }
});

test('a bad flag is a usage error: exit 2, one line, no stack, no lab', async (t) => {
  const result = await run([process.execPath, SOAK, '--sweeps', 'many'], { timeoutMs: 30_000 });
  t.is(result.exitCode, 2);
  t.is(result.stdout, '');
  t.is(result.stderr.trim(), 'soak: --sweeps must be a whole number from 0 to 1000000, not "many"');
  const unknown = await run([process.execPath, SOAK, '--leak'], { timeoutMs: 30_000 });
  t.is(unknown.exitCode, 2);
  t.is(unknown.stderr.trim().split('\n').length, 1);
});
