import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { agentProgramArgv, isAgentCommand } from '../../controller/cli/agentProgramArgv.js';
import { AGENT_MAIN, CLI_MAIN } from '../helpers/repoPaths.js';
import { runCli } from '../helpers/runCli.js';

/** Processes whose parent is `pid`, read from /proc/N/stat (field 4 is the parent's id). */
async function childrenOf(pid: number): Promise<string[]> {
  const children: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name (field 2) is in parentheses and may hold spaces: parse after its last ')'.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === pid) children.push(`${entry} ${(await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ')}`);
  }
  return children;
}

test('`pathprobe agent` is recognised only as the first word, and its arguments reach the agent program unchanged', (t) => {
  t.true(isAgentCommand(['node', '/x/main.js', 'agent', '--listen', '127.0.0.1:0']));
  t.false(isAgentCommand(['node', '/x/main.js', '--help', 'agent']));
  t.false(isAgentCommand(['node', '/x/main.js', 'run', 'agent']));
  t.deepEqual(agentProgramArgv(['/usr/bin/node', '/x/main.js', 'agent', '--listen', '127.0.0.1:0', '--allow', 'agent'], pathToFileURL(AGENT_MAIN)),
    ['/usr/bin/node', AGENT_MAIN, '--listen', '127.0.0.1:0', '--allow', 'agent']);
});

test('`pathprobe agent` runs the agent as one process, with no child process, and stops cleanly on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [CLI_MAIN, 'agent', '--listen', '127.0.0.1:0', '--insecure-no-auth'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`pathprobe agent exited with ${code}: ${stderr}`)));
  });

  const response = await fetch(new URL('/v1/facts', url), { headers: { 'pathprobe-contract-version': '1' } });
  t.is(response.status, 200, 'the process that printed the address is the agent');
  await response.arrayBuffer();
  t.deepEqual(await childrenOf(child.pid!), []);

  child.kill('SIGTERM');
  t.deepEqual(await exited, { code: 0, signal: null }, stderr);
});

test('`pathprobe agent --help` shows the agent\'s options and exits 0', async (t) => {
  const result = await runCli(['agent', '--help']);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^pathprobe agent --listen/m);
  t.regex(result.stdout, /--insecure-no-auth/);
});

test('`pathprobe agent` without --listen says so in one line and exits 2', async (t) => {
  const result = await runCli(['agent']);
  t.is(result.exitCode, 2);
  t.is(result.stderr.trim(), 'pathprobe agent: Missing required argument: listen');
});

test('`pathprobe --help` still lists the agent command, and `agent` after an option is a usage error', async (t) => {
  const help = await runCli(['--help']);
  t.is(help.exitCode, 0, help.stderr);
  t.regex(help.stdout, /pathprobe agent\s+run the agent daemon/);
  const late = await runCli(['--version', 'agent']);
  t.is(late.exitCode, 2);
  t.regex(late.stderr, /^pathprobe: `agent` must come first: pathprobe agent --listen/);
});
