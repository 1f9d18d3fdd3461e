import test from 'ava';
import { mkdtemp, readFile, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labUp } from '../../scripts/lab/labUp.js';
import { startLabAgents, LAB_AGENT_PORT, type LabAgents } from '../../scripts/lab/labAgents.js';
import { cleanPath, lossyCap } from '../../scripts/lab/topologies.js';
import type { Lab } from '../../scripts/lab/lab.js';
import { systemTool } from '../../scripts/lab/systemTools.js';
import { agentMarkerOf, parseProcStat } from '../../agent/leftoverProcesses.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { LAB_PROGRAMS } from '../helpers/repoPaths.js';
import { writeRackPlan } from '../helpers/rackPlan.js';

/*
 * Faults of the agent itself, over real namespaces: an agent SIGKILLed mid-test takes its iperf3
 * and sockets with it, a restarted one removes what an older one left, and an agent without
 * iperf3 says so in its facts and on its iperf3 routes.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the agent on `host` marks its children with: its listen address:port. */
function identityOf(lab: Lab, host: string): string {
  return `${lab.hosts[host]!.mgmtAddress}:${LAB_AGENT_PORT}`;
}

/** The network namespace of a lab node as /proc/PID/ns/net names it. */
function netnsOf(lab: Lab, node: string): string {
  return `net:[${statSync(`/run/netns/${lab.netnsOf(node)}`).ino}]`;
}

/** Running: in /proc and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return stat !== null && stat.state !== 'Z';
  } catch {
    return false;
  }
}

interface Marked { pid: number; command: string }

/** Live processes carrying PATHPROBE_AGENT=identity in that network namespace. */
async function markedProcesses(identity: string, netns: string): Promise<Marked[]> {
  const found: Marked[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (agentMarkerOf(await readFile(`/proc/${entry}/environ`, 'latin1')) !== identity) continue;
      if (await readlink(`/proc/${entry}/ns/net`) !== netns) continue;
      const stat = parseProcStat(await readFile(`/proc/${entry}/stat`, 'latin1'));
      if (stat && stat.state !== 'Z') found.push({ pid: Number(entry), command: stat.command });
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Polls until `check` holds or `ms` passes; returns the last value. */
async function waitUntil<T>(ms: number, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await sleep(25);
    value = await read();
  }
  return value;
}

interface Answer { status: number; body: any }

/** One agent API call from the controller namespace (the test's own has no route to the management net). */
async function callAgent(lab: Lab, agents: LabAgents, host: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const token = (await readFile(agents.tokenFile, 'utf8')).trim();
  const script = `
    const { url, method, token, body } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    fetch(url, { method, headers: { authorization: 'Bearer ' + token, 'pathprobe-contract-version': '1', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(20000) })
      .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() })));`;
  const input = JSON.stringify({ url: `${agents.urls[host]}${path}`, method, token, body });
  const result = await lab.exec('ctl', [process.execPath, '-e', script], { input, timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new Error(`${method} ${path} on ${host}: exit ${result.exitCode}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Answer;
}

async function pmtuH1H2(lab: Lab, agents: LabAgents) {
  await lab.flushPmtuCaches();
  return agents.cli(['pmtu', '--from', agents.urls.h1!, '--to', agents.urls.h2!, '--from-address', lab.hosts.h1!.v4,
    '--to-address', lab.hosts.h2!.v4, '--token-file', agents.tokenFile, '--json']);
}

test.serial('an agent SIGKILLed mid-cell takes its iperf3 with it, and starts again clean', async (t) => {
  const { lab, agents } = await labWithAgents(t, cleanPath({ mtuBytes: 1500 }));
  const h1 = { identity: identityOf(lab, 'h1'), netns: netnsOf(lab, 'h1') };
  const h2 = { identity: identityOf(lab, 'h2'), netns: netnsOf(lab, 'h2') };
  const cli = agents.spawnCli(['throughput', '--from', agents.urls.h1!, '--to', agents.urls.h2!, '--from-address', lab.hosts.h1!.v4,
    '--to-address', lab.hosts.h2!.v4, '--token-file', agents.tokenFile, '--streams', '2', '--duration', '10s', '--repeats', '1',
    '--direction', 'forward', '--json']);
  t.teardown(() => cli.stop());
  // The 1500 cell's clients (h1) and servers (h2) are running: both carry their agent's marker.
  const iperfOf = async (end: { identity: string; netns: string }) => (await markedProcesses(end.identity, end.netns)).filter((p) => p.command === 'iperf3');
  const clients = await waitUntil(30_000, () => iperfOf(h1), (found) => found.length > 0);
  const servers = await iperfOf(h2);
  t.true(clients.length > 0, 'h1 runs iperf3 clients carrying its marker');
  t.true(servers.length > 0, 'h2 runs iperf3 servers carrying its marker');
  t.log(`before: h1 clients ${clients.map((p) => p.pid).join(' ')}, h2 servers ${servers.map((p) => p.pid).join(' ')}`);

  // Both ends die at once, 10 s before their iperf3 would have ended on its own.
  const killedAt = Date.now();
  agents.kill('h1');
  agents.kill('h2');
  const [h1Left, h2Left] = await Promise.all([h1, h2].map((end) => waitUntil(5_000, () => iperfOf(end), (found) => found.length === 0)));
  t.log(`iperf3 of both agents gone ${Date.now() - killedAt} ms after the SIGKILL`);
  t.deepEqual(h1Left, [], 'no iperf3 client of the killed h1 agent remains');
  t.deepEqual(h2Left, [], 'no iperf3 server of the killed h2 agent remains');
  t.true(Date.now() - killedAt < 3_000, `children outlived the agent by ${Date.now() - killedAt} ms`);
  await cli.result;

  await agents.restart('h1');
  await agents.restart('h2');
  // Nothing was left, so nothing is removed: the new agents start clean and serve.
  t.notRegex(agents.stderrOf('h1'), /removed/);
  t.notRegex(agents.stderrOf('h2'), /removed/);
  const facts = await callAgent(lab, agents, 'h1', 'GET', '/v1/facts');
  t.is(facts.status, 200);
  t.deepEqual(facts.body.canRun, { pmtu: { ok: true }, throughput: { ok: true } });
  t.deepEqual(await iperfOf(h1), []);
});

test.serial('an agent SIGKILLed mid-sweep takes its raw and responder sockets with it; restarted on the same address it sweeps again', async (t) => {
  // A silent cap and some loss make a sweep last several rounds, long enough to be caught in the middle.
  const { lab, agents } = await labWithAgents(t, lossyCap({ capBytes: 4470, lossPercent: 2 }));
  const agentPid = agents.pidOf('h1')!;
  const rawSockets = async (pid: number) => {
    const lines = await Promise.all(['raw', 'raw6'].map((file) => readFile(`/proc/${pid}/net/${file}`, 'utf8').catch(() => '')));
    return lines.flatMap((text) => text.trim().split('\n').slice(1)).filter((line) => line.trim() !== '');
  };
  const sweep = pmtuH1H2(lab, agents);
  // Wait until h1's sweep holds raw sockets (seen through its own network namespace), then kill it.
  const duringSweep = await waitUntil(20_000, () => rawSockets(agentPid), (lines) => lines.length > 0);
  t.true(duringSweep.length > 0, 'h1 held raw sockets during the sweep');
  agents.kill('h1');
  const killed = await sweep;
  t.log(`sweep with h1 killed: exit ${killed.exitCode} after ${Math.round(killed.durationMs)} ms`);
  t.not(killed.exitCode, 0);

  // Seen from h1's namespace now: no raw socket, no UDP socket (responder) left behind.
  const inH1 = async (file: string) => (await lab.exec('h1', ['cat', `/proc/net/${file}`])).stdout.trim().split('\n').slice(1).filter((l) => l.trim() !== '');
  t.deepEqual([...await inH1('raw'), ...await inH1('raw6')], [], 'no raw socket remains in h1');
  t.deepEqual([...await inH1('udp'), ...await inH1('udp6')], [], 'no responder socket remains in h1');

  await agents.restart('h1');
  const again = await pmtuH1H2(lab, agents);
  t.log(`sweep after the restart: exit ${again.exitCode} in ${Math.round(again.durationMs)} ms`);
  t.is(again.exitCode, 1, again.stderr);
  const report = JSON.parse(again.stdout);
  for (const direction of [report.forward, report.reverse]) {
    t.log(`after restart ${direction.direction}: ${direction.verdict} ${direction.pathMtu}`);
    t.is(direction.verdict, 'silent-drop');
    t.is(direction.pathMtu, 4470);
  }
});

test.serial("a starting agent removes an orphan carrying its own marker, and nothing else", async (t) => {
  const lab = await labUp(cleanPath({ mtuBytes: 1500 }));
  t.teardown(() => lab.down());
  const ours = identityOf(lab, 'h1');
  /** An iperf3 server started the way an old agent would have, orphaned at once (its shell exits). */
  const orphan = async (node: string, marker: string | null, port: number): Promise<number> => {
    const env = marker === null ? '' : `PATHPROBE_AGENT=${marker} `;
    const result = await lab.exec(node, ['sh', '-c', `${env}setsid ${systemTool('iperf3')} -s -p ${port} >/dev/null 2>&1 </dev/null & echo $!`]);
    const pid = Number(result.stdout.trim());
    if (!(pid > 0)) throw new Error(`no orphan iperf3 in ${node}: ${result.stderr.trim()}`);
    return pid;
  };
  const left = await orphan('h1', ours, 5301);
  const otherAgents = await orphan('h1', identityOf(lab, 'h2'), 5302);
  const unmarked = await orphan('h1', null, 5303);
  // The same address:port in another network namespace is another agent's.
  const otherNamespace = await orphan('h2', ours, 5304);
  for (const pid of [left, otherAgents, unmarked, otherNamespace]) t.true(alive(pid), `orphan ${pid} runs before the agent starts`);
  t.not(parseProcStat(readFileSync(`/proc/${left}/stat`, 'latin1'))!.ppid, process.pid, "the leftover is nobody's child here: an orphan");

  const agents = await startLabAgents(lab, { programs: LAB_PROGRAMS, hosts: ['h1'] });
  t.teardown(() => agents.stop());
  const line = `removed iperf3 pid ${left} left by a previous agent on ${ours}`;
  const log = await waitUntil(3_000, async () => agents.stderrOf('h1'), (text) => text.includes(line));
  t.log(log.trim());
  t.true(log.includes(line), log);
  t.is(log.match(/removed /g)?.length, 1, 'one line, for the one leftover');
  await waitUntil(2_000, async () => alive(left), (running) => !running);
  t.false(alive(left), 'the leftover is gone');
  t.true(alive(otherAgents), "another agent's iperf3 is untouched");
  t.true(alive(unmarked), 'an unmarked iperf3 is untouched');
  t.true(alive(otherNamespace), 'the same marker in another namespace is untouched');
});

test.serial('an agent without iperf3: facts say throughput cannot run and why, pmtu still can, iperf3 routes answer ERR_PROBE_FAILED', async (t) => {
  const lab = await labUp(cleanPath({ mtuBytes: 9000 }));
  t.teardown(() => lab.down());
  // A PATH holding every tool the agent uses but iperf3: a host where iperf3 is not installed.
  const bin = await mkdtemp(join(tmpdir(), 'pathprobe-noiperf-'));
  t.teardown(() => rm(bin, { recursive: true, force: true }));
  for (const tool of ['ip', 'ss', 'ethtool', 'lldpctl', 'setpriv']) {
    const path = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((dir) => join(dir, tool)).find((candidate) => existsSync(candidate));
    if (path !== undefined) await symlink(path, join(bin, tool));
  }
  const agents = await startLabAgents(lab, { programs: LAB_PROGRAMS, env: (host) => (host === 'h1' ? { PATH: bin } : undefined) });
  t.teardown(() => agents.stop());

  const reason = 'iperf3 is not installed (not found on PATH)';
  const h1 = await callAgent(lab, agents, 'h1', 'GET', '/v1/facts');
  t.is(h1.status, 200);
  t.deepEqual(h1.body.canRun, { pmtu: { ok: true }, throughput: { ok: false, reason } });
  const h2 = await callAgent(lab, agents, 'h2', 'GET', '/v1/facts');
  t.deepEqual(h2.body.canRun, { pmtu: { ok: true }, throughput: { ok: true } });

  const servers = await callAgent(lab, agents, 'h1', 'POST', '/v1/iperf/servers', { v: 1, bindAddress: lab.hosts.h1!.v4, count: 1, maxLifetimeMs: 10_000 });
  const clients = await callAgent(lab, agents, 'h1', 'POST', '/v1/iperf/run', {
    v: 1, target: { address: lab.hosts.h2!.v4, ports: [5201] }, streams: 1, mssBytes: null, durationMs: 1000,
  });
  for (const answer of [servers, clients]) {
    t.is(answer.status, 500);
    t.deepEqual(answer.body.error, {
      code: 'ERR_PROBE_FAILED',
      message: `this agent cannot run throughput tests: ${reason}`,
      details: { test: 'throughput', canRun: { ok: false, reason } },
    });
  }
  // The agent is still up and still sweeps.
  const pmtu = await pmtuH1H2(lab, agents);
  t.is(pmtu.exitCode, 0, pmtu.stderr);
  t.is(JSON.parse(pmtu.stdout).forward.pathMtu, 9000);

  // A run asks for both kinds: path MTU is measured, throughput is left with the reason and the fix.
  const files = await writeRackPlan(lab, agents, 'tests: [pmtu, throughput]\nthroughput: { streams: [1], duration: 1s, repeats: 1 }\n', () => 'sw1');
  t.teardown(() => files.remove());
  const run = await agents.cli(['run', files.planPath, '--db', files.dbPath, '--json'], { timeoutMs: 60_000 });
  t.is(run.exitCode, 3, run.stderr);
  t.regex(run.stderr, new RegExp(`throughput not measured: h1 cannot run throughput tests: ${reason.replace(/[()]/g, '\\$&')}`));
  t.notRegex(run.stderr, /\n\s+at /);
  const report = JSON.parse(run.stdout);
  t.deepEqual([report.pairs[0].pmtu.forward.pathMtu, report.pairs[0].pmtu.reverse.pathMtu], [9000, 9000]);
  t.deepEqual(report.pairs[0].cells, []);
  const finding = report.findings.find((f: any) => f.scope === 'h1' && f.kind === 'cell-failed');
  t.is(finding?.title, `h1 cannot run throughput tests: ${reason}`);
  t.regex(finding?.fix ?? '', new RegExp(`^install a working iperf3 on h1 \\(apt-get install iperf3\\), then measure the rest: pathprobe run --resume ${report.runId}$`));
});
