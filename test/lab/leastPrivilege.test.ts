import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { labUp } from '../../scripts/lab/labUp.js';
import { startLabAgents } from '../../scripts/lab/labAgents.js';
import { cleanPath } from '../../scripts/lab/topologies.js';
import { LAB_PROGRAMS } from '../helpers/repoPaths.js';

/** Debian's `nobody` / `nogroup`: a user with nothing of its own. */
const NOBODY = { uid: 65534, gid: 65534 };
const CAP_NET_RAW = 1n << 13n;

interface ProcessFacts { pid: number; command: string; uid: number; effective: bigint; permitted: bigint; ambient: bigint; bounding: bigint }

async function processesMatching(pattern: RegExp): Promise<ProcessFacts[]> {
  const found: ProcessFacts[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
      if (!pattern.test(command)) continue;
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const field = (name: string) => BigInt(`0x${new RegExp(`^${name}:\\s+([0-9a-f]+)`, 'm').exec(status)![1]}`);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
      found.push({ pid: Number(entry), command, uid, effective: field('CapEff'), permitted: field('CapPrm'), ambient: field('CapAmb'), bounding: field('CapBnd') });
    } catch {
      // gone while we looked
    }
  }
  return found;
}

test.serial('an agent running as nobody with only CAP_NET_RAW sweeps and measures throughput, and its iperf3 runs with no capability', async (t) => {
  const lab = await labUp(cleanPath());
  t.teardown(() => lab.down());
  // Without CAP_NET_ADMIN, iperf3 may only pick a congestion control the kernel allows, and runs
  // ask for cubic. Debian allows it by default; a kernel whose list lacks it (this one's is
  // "reno bbr") needs it added, as an operator would. The list is global (the init namespace's),
  // so it is put back as it was.
  const ALLOWED = '/proc/sys/net/ipv4/tcp_allowed_congestion_control';
  const allowedBefore = (await readFile(ALLOWED, 'utf8')).trim();
  if (!allowedBefore.split(/\s+/).includes('cubic')) {
    await writeFile(ALLOWED, `${allowedBefore} cubic`);
    t.teardown(() => writeFile(ALLOWED, allowedBefore));
  }
  const agents = await startLabAgents(lab, { programs: LAB_PROGRAMS, runAs: NOBODY });
  t.teardown(() => agents.stop());

  const agentProcesses = await processesMatching(new RegExp(`${LAB_PROGRAMS.agentMain.replace(/[.]/g, '\\.')} --listen ${lab.hosts.h1!.mgmtAddress.replace(/[.]/g, '\\.')}:`));
  t.is(agentProcesses.length, 1, agentProcesses.map((p) => p.command).join(" | "));
  const agent = agentProcesses[0]!;
  t.is(agent.uid, NOBODY.uid);
  t.is(agent.effective, CAP_NET_RAW, 'CAP_NET_RAW and nothing else');
  t.is(agent.bounding, CAP_NET_RAW);

  const run = agents.spawnCli(['throughput', '--from', agents.urls.h1!, '--to', agents.urls.h2!, '--from-address', lab.hosts.h1!.v4, '--to-address', lab.hosts.h2!.v4,
    '--token-file', agents.tokenFile, '--streams', '1', '--duration', '2s', '--repeats', '1', '--direction', 'forward', '--json'], { timeoutMs: 120_000 });
  t.teardown(() => run.stop().then(() => undefined));
  // iperf3 lives only while the cells run: look at it from outside, as an operator with ps would.
  const iperfSeen = new Map<number, ProcessFacts>();
  const watching = (async () => {
    while (run.running()) {
      for (const p of await processesMatching(/^\S*iperf3 /)) if (!iperfSeen.has(p.pid)) iperfSeen.set(p.pid, p);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const result = await run.result;
  await watching;
  t.is(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  t.is(report.pmtu.forward.pathMtu, 9000, 'the sweep ran on CAP_NET_RAW alone');
  t.true(report.cells.some((c: { result?: { processes: Array<{ bitsPerSecondReceived: number | null }> } }) => (c.result?.processes[0]?.bitsPerSecondReceived ?? 0) > 0), 'a throughput cell was measured');
  t.true(iperfSeen.size >= 2, `iperf3 server and client were seen: ${[...iperfSeen.values()].map((p) => p.command).join(' | ')}`);
  for (const p of iperfSeen.values()) {
    t.is(p.uid, NOBODY.uid, p.command);
    t.is(p.effective | p.permitted | p.ambient, 0n, `${p.command}: no capability at all`);
  }
});
