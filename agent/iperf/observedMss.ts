import { exec } from '../exec.js';

const SS_TIMEOUT_MS = 2_000;

/** Peer port of an ss socket line's last column: `198.18.1.2:5201` or `[2001:2::2]:5201`. */
function peerPort(header: string): number | null {
  const peer = header.trim().split(/\s+/).at(-1) ?? '';
  const match = /:(\d+)$/.exec(peer);
  return match ? Number(match[1]) : null;
}

/**
 * PURE. From `ss -Hti` output, the `mss:` of the busiest socket toward one of the ports: the
 * control connection also goes there but carries almost nothing, and it is not clamped by -M.
 */
export function parseObservedMss(ssOutput: string, peerPorts: readonly number[]): number | null {
  let best: { mssBytes: number; bytesSent: number } | null = null;
  let header: string | null = null;
  for (const line of ssOutput.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      header = line;
      continue;
    }
    if (header === null) continue;
    const port = peerPort(header);
    header = null;
    if (port === null || !peerPorts.includes(port)) continue;
    const mss = /\bmss:(\d+)/.exec(line);
    if (!mss) continue;
    const bytesSent = Number(/\bbytes_sent:(\d+)/.exec(line)?.[1] ?? 0);
    if (best === null || bytesSent > best.bytesSent) best = { mssBytes: Number(mss[1]), bytesSent };
  }
  return best?.mssBytes ?? null;
}

/** The MSS the kernel is using on our busiest data stream toward address (`ss -Hti dst`), or null. */
export async function sampleObservedMss(address: string, peerPorts: readonly number[]): Promise<number | null> {
  try {
    const result = await exec('ss', ['-Hti', 'dst', address], { timeoutMs: SS_TIMEOUT_MS });
    return parseObservedMss(result.stdout, peerPorts);
  } catch {
    // No ss on this host: the figure is optional.
    return null;
  }
}
