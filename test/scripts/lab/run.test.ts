import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, start } from '../../../scripts/lab/run.js';

test('a command whose stdout goes to a file leaves all of it there, the capture empty', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-run-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'out.txt');
  // 80 MB: more than the in-memory capture keeps, so nothing may be lost on the way to the file.
  const proc = start([process.execPath, '-e', 'process.stdout.write("x".repeat(80 * 1024 * 1024)); process.stderr.write("done")'], { timeoutMs: 30_000, stdoutFile: file });
  const result = await proc.result;
  t.is(result.exitCode, 0);
  t.is(result.stdout, '');
  t.is(result.stderr, 'done');
  t.is((await readFile(file, 'utf8')).length, 80 * 1024 * 1024);
});

test('a captured stdout larger than the capture keeps its tail, up to the last byte', async (t) => {
  const script = 'for (let i = 0; i < 72; i++) process.stdout.write(String(i % 10).repeat(1024 * 1024)); process.stdout.write("END")';
  const result = await run([process.execPath, '-e', script], { timeoutMs: 60_000 });
  t.is(result.exitCode, 0);
  t.is(result.stdout.length, 64 * 1024 * 1024);
  t.true(result.stdout.endsWith('1'.repeat(1024) + 'END'));
});
