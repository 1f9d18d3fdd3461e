import type { ExecutionContext } from 'ava';
import { labUp } from '../../scripts/lab/labUp.js';
import { startLabAgents, type LabAgents } from '../../scripts/lab/labAgents.js';
import type { Lab } from '../../scripts/lab/lab.js';
import type { Topology } from '../../scripts/lab/topology.js';
import { assertMatchesContract } from './assertMatchesContract.js';
import { LAB_PROGRAMS } from './repoPaths.js';

export interface LabWithAgents { lab: Lab; agents: LabAgents }

/** Builds the lab and starts agents on h1 and h2; teardown is registered before anything can fail. */
export async function labWithAgents(t: ExecutionContext, topology: Topology): Promise<LabWithAgents> {
  const lab = await labUp(topology);
  t.teardown(() => lab.down());
  const agents = await startLabAgents(lab, { programs: LAB_PROGRAMS });
  t.teardown(() => agents.stop());
  return { lab, agents };
}

export interface PmtuJson {
  schema: string;
  exitCode: number;
  asymmetric: boolean;
  forward: any;
  reverse: any;
  from: any;
  to: any;
}

/**
 * `pathprobe pmtu --json` between h1 and h2, run from the lab's controller: on their data
 * addresses, or with `over: 'overlay'` on their addresses on the topology's VXLAN overlay.
 */
export async function pmtuBetween(
  t: ExecutionContext, { lab, agents }: LabWithAgents, family: 'v4' | 'v6', { over = 'data' }: { over?: 'data' | 'overlay' } = {},
): Promise<{ exitCode: number | null; report: PmtuJson }> {
  // Earlier cases may have taught the kernel a path MTU; every case starts from a clean cache.
  await lab.flushPmtuCaches();
  const addressOf = (name: string): string => {
    const host = lab.hosts[name]!;
    if (over === 'data') return host[family];
    if (!host.overlay) throw new Error(`lab ${lab.id}: ${name} is on no overlay`);
    return host.overlay[family];
  };
  const result = await agents.cli(['pmtu', '--from', agents.urls.h1!, '--to', agents.urls.h2!,
    '--from-address', addressOf('h1'), '--to-address', addressOf('h2'), '--token-file', agents.tokenFile, '--json']);
  t.log(`${family}: exit ${result.exitCode} in ${result.durationMs} ms ${result.stderr.trim()}`);
  if (!result.stdout.trim().startsWith('{')) throw new Error(`pmtu printed no JSON (exit ${result.exitCode}): ${result.stderr.trim()}`);
  const report = JSON.parse(result.stdout) as PmtuJson;
  assertMatchesContract(t, 'pathprobe.pmtu/v1', report);
  for (const d of [report.forward, report.reverse]) {
    t.log(`  ${d.direction}: ${d.verdict} ${d.pathMtu} (${d.probes} probes, ${d.elapsedMs} ms)`);
  }
  return { exitCode: result.exitCode, report };
}
