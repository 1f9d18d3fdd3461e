import { run } from './run.js';
import { systemTool } from './systemTools.js';

const SETTLE_POLL_MS = 20;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone: exactly what we want
  }
}

/** SIGTERM, then SIGKILL for whatever is still there after graceMs. Resolves when all are gone (or KILLed). */
export async function killPids(pids: number[], graceMs: number): Promise<void> {
  const live = pids.filter(isAlive);
  if (live.length === 0) return;
  for (const pid of live) signal(pid, 'SIGTERM');
  const deadlineMs = Date.now() + graceMs;
  while (Date.now() < deadlineMs && live.some(isAlive)) {
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
  for (const pid of live.filter(isAlive)) signal(pid, 'SIGKILL');
}

export async function listNetns(): Promise<string[]> {
  const result = await run([systemTool('ip'), 'netns', 'list']);
  // Lines look like "ppab12cd-h1 (id: 3)" or just the name.
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

async function pidsIn(netns: string): Promise<number[]> {
  const result = await run([systemTool('ip'), 'netns', 'pids', netns]);
  return result.stdout
    .split('\n')
    .map((s) => Number.parseInt(s, 10))
    .filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid);
}

/**
 * Kill everything inside the namespaces, then delete them. A process left inside keeps the
 * namespace's links alive after `ip netns del` while its name is gone, so it must die first.
 * Returns the namespaces that could not be deleted (normally none).
 */
export async function removeNamespaces(names: string[], graceMs = 2_000): Promise<string[]> {
  const existing = new Set(await listNetns());
  const targets = names.filter((n) => existing.has(n));
  if (targets.length === 0) return [];
  const pids = (await Promise.all(targets.map(pidsIn))).flat();
  await killPids(pids, graceMs);
  // -force: keep deleting the rest if one fails; failures are reported through the re-list below.
  await run([systemTool('ip'), '-force', '-batch', '-'], { input: targets.map((n) => `netns del ${n}\n`).join('') });
  const left = new Set(await listNetns());
  return targets.filter((n) => left.has(n));
}
