import test from 'ava';
import { exec, systemCommand } from '../../agent/exec.js';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/repoPaths.js';

test('a finished command returns its exit code and output as facts', async (t) => {
  const result = await exec('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5000 });
  t.is(result.exitCode, 3);
  t.is(result.signal, null);
  t.false(result.timedOut);
  t.is(result.stdout, 'out\n');
  t.is(result.stderr, 'err\n');
});

test('a command past its deadline gets SIGTERM', async (t) => {
  const result = await exec('sleep', ['30'], { timeoutMs: 100 });
  t.true(result.timedOut);
  t.is(result.signal, 'SIGTERM');
});

test('a command that ignores SIGTERM is killed with SIGKILL, children included', async (t) => {
  // The inner sleep is a grandchild: the whole process group must go.
  const result = await exec('sh', ['-c', 'trap "" TERM; sleep 30 & wait; echo never'], { timeoutMs: 100, killGraceMs: 200 });
  t.true(result.timedOut);
  t.is(result.signal, 'SIGKILL');
  t.is(result.stdout, '');
});

test('a command that does not exist rejects with a clear message and its cause', async (t) => {
  const error = await t.throwsAsync(exec('pathprobe-no-such-tool', [], { timeoutMs: 1000 }));
  t.regex(error!.message, /^cannot run pathprobe-no-such-tool: .*ENOENT/);
  t.truthy(error!.cause);
});

test('system tools are found outside node_modules/.bin', (t) => {
  const original = process.env.PATH;
  t.teardown(() => { process.env.PATH = original; });
  process.env.PATH = `${join(REPO_ROOT, 'node_modules', '.bin')}:${original}`;
  // node_modules/.bin/nft (from @vercel/nft, an ava dependency) is not nftables.
  const nft = systemCommand('nft');
  t.false(nft.includes('node_modules'), nft);
  t.regex(nft, /^\/.*\/nft$/);
});
