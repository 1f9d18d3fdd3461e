import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../scripts/lab/lab.js';
import type { LabAgents } from '../../scripts/lab/labAgents.js';

export interface RackPlanFiles { dir: string; planPath: string; dbPath: string; remove(): Promise<void> }

/** Writes a plan for every agent of the lab into a fresh directory; the caller removes it. */
export async function writeRackPlan(lab: Lab, agents: LabAgents, body: string, switchOf: (host: string) => string): Promise<RackPlanFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-run-'));
  const lines = [`tokenFile: ${agents.tokenFile}`, 'agents:'];
  for (const name of Object.keys(agents.urls)) {
    lines.push(`  - { name: ${name}, url: "${agents.urls[name]}", addresses: [${lab.hosts[name]!.v4}], labels: { rack: r12, switch: ${switchOf(name)} } }`);
  }
  const planPath = join(dir, 'rack.yaml');
  await writeFile(planPath, `${lines.join('\n')}\n${body}`);
  return { dir, planPath, dbPath: join(dir, 'pathprobe.sqlite'), remove: () => rm(dir, { recursive: true, force: true }) };
}
