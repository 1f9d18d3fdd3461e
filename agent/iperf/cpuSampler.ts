import { readFile } from 'node:fs/promises';

/** Busy and total jiffies per core (`cpuN` lines of /proc/stat), in core order. */
export type CoreTimes = Array<{ busy: number; total: number }>;

/** One /proc/stat snapshot; null where /proc is not readable (then no core figure is reported). */
export async function readCoreTimes(): Promise<CoreTimes | null> {
  let text: string;
  try {
    text = await readFile('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  return parseCoreTimes(text);
}

/** PURE. user nice system idle iowait irq softirq steal; guest is already inside user. */
export function parseCoreTimes(procStat: string): CoreTimes {
  return procStat.split('\n').flatMap((line) => {
    if (!/^cpu\d+ /.test(line)) return [];
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return [{ busy: total - idle, total }];
  });
}

/**
 * PURE. The busiest core's utilisation between two snapshots, in percent; softirq counts as busy,
 * which is the point: iperf3's own CPU figures miss the network stack's work on other cores.
 */
export function maxCorePercent(before: CoreTimes, after: CoreTimes): number | null {
  let max: number | null = null;
  for (const [index, end] of after.entries()) {
    const start = before[index];
    if (!start) continue;
    const total = end.total - start.total;
    if (total <= 0) continue;
    const percent = (100 * (end.busy - start.busy)) / total;
    max = Math.max(max ?? 0, percent);
  }
  return max;
}
