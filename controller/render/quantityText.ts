/** "40 s", "12 min", "2.5 h": how long a run will take, as a person plans around it. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  const min = s / 60;
  if (min < 90) return `${Math.round(min)} min`;
  const h = min / 60;
  return `${h < 10 ? h.toFixed(1) : Math.round(h)} h`;
}

/** Decimal units, as link speeds are: 1 GB = 10^9 bytes. */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [[1e15, 'PB'], [1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${v < 10 ? Number(v.toFixed(1)) : Math.round(v)} ${unit}`;
    }
  }
  return `${Math.round(bytes)} B`;
}
