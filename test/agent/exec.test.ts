import test from 'ava';
import { AGENT_MARKER_VARIABLE, CommandNotFound, childPrefix, exec, markChildren, systemCommand } from '../../agent/exec.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  // 1 s: long enough for the shell to reach its trap even on a loaded machine.
  const result = await exec('sh', ['-c', 'trap "" TERM; sleep 30 & wait; echo never'], { timeoutMs: 1000, killGraceMs: 200 });
  t.true(result.timedOut);
  t.is(result.signal, 'SIGKILL');
  t.is(result.stdout, '');
});

test('a command that does not exist rejects with a clear message and its cause', async (t) => {
  const error = await t.throwsAsync(exec('pathprobe-no-such-tool', [], { timeoutMs: 1000 }));
  t.regex(error!.message, /^cannot run pathprobe-no-such-tool: .*ENOENT/);
  t.truthy(error!.cause);
  // Behind setpriv a missing tool would be setpriv's exit 127: exec tells it apart before spawning.
  t.true(error instanceof CommandNotFound);
  t.is((error as CommandNotFound).code, 'ENOENT');
  t.true(await t.throwsAsync(exec('/nonexistent/pathprobe-tool', [], { timeoutMs: 1000 })) instanceof CommandNotFound);
});

const ROOT_STATUS = 'Name:\tnode\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapAmb:\t0000000000000000\n';
const NET_RAW_STATUS = 'Name:\tnode\nUid:\t65534\t65534\t65534\t65534\nCapInh:\t0000000000002000\nCapAmb:\t0000000000002000\n';
const PLAIN_USER_STATUS = 'Name:\tnode\nUid:\t1000\t1000\t1000\t1000\nCapInh:\t0000000000000000\nCapAmb:\t0000000000000000\n';

test('every child dies with the agent: setpriv --pdeathsig SIGKILL always, capabilities dropped only when there are ambient ones', (t) => {
  t.deepEqual(childPrefix(ROOT_STATUS, '/usr/bin/setpriv'), ['/usr/bin/setpriv', '--pdeathsig', 'SIGKILL', '--']);
  t.deepEqual(childPrefix(PLAIN_USER_STATUS, '/usr/bin/setpriv'), ['/usr/bin/setpriv', '--pdeathsig', 'SIGKILL', '--']);
  t.deepEqual(childPrefix(NET_RAW_STATUS, '/usr/bin/setpriv'), [
    '/usr/bin/setpriv', '--pdeathsig', 'SIGKILL', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--',
  ]);
});

test('without setpriv nothing is armed; a child with capabilities to lose is refused rather than run with them', (t) => {
  t.deepEqual(childPrefix(ROOT_STATUS, null), []);
  t.deepEqual(childPrefix(NET_RAW_STATUS, null), ['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--']);
});

/** Running: present in /proc and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

test('a child started through exec dies when its agent is SIGKILLed, though it is in a process group of its own', async (t) => {
  // A node process standing for the agent: it starts `sleep 60` through exec, prints its PID, waits.
  const execModule = fileURLToPath(new URL('../../agent/exec.js', import.meta.url));
  const script = `import(${JSON.stringify(execModule)}).then(({ exec }) => exec('sleep', ['60'], { timeoutMs: 60_000, onSpawn: (pid) => console.log(pid) }));`;
  const agent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => agent.kill('SIGKILL'));
  const childPid = await new Promise<number>((resolve) => agent.stdout!.setEncoding('utf8').once('data', (line: string) => resolve(Number(line.trim()))));
  t.true(alive(childPid));
  agent.kill('SIGKILL');
  const deadline = Date.now() + 3_000;
  while (alive(childPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  t.false(alive(childPid), `sleep ${childPid} outlived its SIGKILLed parent`);
});

test('once marked, every child carries the agent identity in its environment', async (t) => {
  markChildren('198.19.0.9:7420');
  // Even with an environment of the caller's own, which has no marker.
  const result = await exec('sh', ['-c', 'echo "$PATHPROBE_AGENT"'], { timeoutMs: 5_000, env: { PATH: process.env.PATH } });
  t.is(AGENT_MARKER_VARIABLE, 'PATHPROBE_AGENT');
  t.is(result.stdout.trim(), '198.19.0.9:7420');
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

/** Members of a process group that are still running; zombies are dead, only not yet reaped by PID 1. */
function liveGroupMembers(pgid: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after comm, which may contain spaces: state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === pgid && state !== 'Z' ? [Number(entry)] : [];
    } catch {
      return []; // exited while we looked
    }
  });
}

test('aborting the signal ends the command with SIGTERM and says aborted, not timed out', async (t) => {
  const controller = new AbortController();
  const running = exec('sleep', ['30'], { timeoutMs: 10_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const result = await running;
  t.true(result.aborted);
  t.false(result.timedOut);
  t.is(result.signal, 'SIGTERM');
  t.true(result.durationMs < 5_000);
});

test('an abort escalates to SIGKILL for a group that ignores SIGTERM, children included', async (t) => {
  const controller = new AbortController();
  let pid: number | undefined;
  // Abort only once the shell ignores SIGTERM: on a loaded machine it may not have got that far.
  const ready = join(mkdtempSync(join(tmpdir(), 'pathprobe-exec-')), 'ready');
  t.teardown(() => rmSync(dirname(ready), { recursive: true, force: true }));
  const running = exec('sh', ['-c', `trap "" TERM; : > ${ready}; sleep 30 & wait; echo never`], {
    timeoutMs: 10_000,
    killGraceMs: 200,
    signal: controller.signal,
    onSpawn: (spawnedPid) => { pid = spawnedPid; },
  });
  while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  const result = await running;
  t.true(result.aborted);
  t.false(result.timedOut);
  t.is(result.signal, 'SIGKILL');
  t.is(result.stdout, '');
  // The grandchild sleep shared the group: nothing of it still runs.
  t.deepEqual(liveGroupMembers(pid!), []);
});

test('a signal aborted before the start ends the command at once', async (t) => {
  const result = await exec('sleep', ['30'], { timeoutMs: 10_000, signal: AbortSignal.abort() });
  t.true(result.aborted);
  t.is(result.signal, 'SIGTERM');
});

test('aborting after the command finished changes nothing', async (t) => {
  const controller = new AbortController();
  const result = await exec('true', [], { timeoutMs: 5_000, signal: controller.signal });
  controller.abort();
  t.false(result.aborted);
  t.is(result.exitCode, 0);
});

test('onSpawn receives the PID of the running command', async (t) => {
  let pid: number | undefined;
  const result = await exec('sh', ['-c', 'echo $$'], { timeoutMs: 5_000, onSpawn: (spawnedPid) => { pid = spawnedPid; } });
  t.is(result.stdout.trim(), String(pid));
});
