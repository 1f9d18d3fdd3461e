import { fabricSample } from '../../controller/plan/fabricSample.js';

/*
 * The pure parts of the control-plane bench: /proc parsing, the plan it runs, the pairs a fabric
 * plan of simulated agents tests.
 */

/** RSS now and its peak (VmHWM), in bytes, from /proc/PID/status; null when a field is missing. */
export function memoryOfStatus(status: string): { rssBytes: number | null; peakBytes: number | null } {
  const kib = (field: string): number | null => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : null;
  };
  return { rssBytes: kib('VmRSS'), peakBytes: kib('VmHWM') };
}

/** User + system CPU time in clock ticks from /proc/PID/stat (fields 14 and 15). */
export function cpuTicksOfStat(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: count after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/PID/stat line: ${stat.slice(0, 80)}`);
  return utime + stime;
}

/** The parent process id, field 4 of /proc/PID/stat. */
export function parentOfStat(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/)[1]);
}

/** Agent `index` (0-based) sits in rack tor1 for the first `perRack`, tor2 for the next, … */
export function torOf(index: number, perRack: number): string {
  return `tor${Math.floor(index / perRack) + 1}`;
}

export interface BenchPlanAgent {
  name: string;
  url: string;
  /** Data addresses to pair; empty = facts only (real agents on loopback have no address to test). */
  addresses: readonly string[];
  tor: string;
}

/** The plan file: path-MTU only, a fabric sample by `switch` label, P sweeps at once, F flows. */
export function benchPlanYaml(input: { tokenFile: string; agents: readonly BenchPlanAgent[]; pmtuParallel: number; flows: number }): string {
  const lines = [
    `tokenFile: ${JSON.stringify(input.tokenFile)}`,
    'tests: [pmtu]',
    'pairs: fabric',
    `pmtu: { flows: ${input.flows} }`,
    `concurrency: { pmtuParallel: ${input.pmtuParallel} }`,
    'agents:',
  ];
  for (const agent of input.agents) {
    lines.push(`  - { name: ${agent.name}, url: ${JSON.stringify(agent.url)}, addresses: [${agent.addresses.join(', ')}], labels: { switch: ${agent.tor} } }`);
  }
  return `${lines.join('\n')}\n`;
}

/** The pairs the controller's fabric sample tests for `count` agents in racks of `perRack`. */
export function fabricPairsOf(count: number, perRack: number): number {
  const endpoints = Array.from({ length: count }, (_, i) => ({ agent: `sim${i + 1}`, address: `a${i}` }));
  const rack = new Map(endpoints.map((e, i) => [e, torOf(i, perRack)]));
  return fabricSample(endpoints, (e) => rack.get(e)!).length;
}

/** Bytes as MB (10^6) with one decimal. */
export function megabytes(bytes: number | null): string {
  return bytes === null ? '-' : (bytes / 1e6).toFixed(1);
}
