import { openProbeTransport, type ProbeTarget } from './probeTransport.js';

/** Each size asked twice, so one lost probe cannot decide; the same odds as the search's own repeats. */
const ASKS_PER_SIZE = 2;
const CONFIRM_TIMEOUT_FLOOR_MS = 100;
const CONFIRM_TIMEOUT_CEILING_MS = 1600;

/**
 * Asks a flow that read smaller than its sibling flows once more, over its own 5-tuple and after
 * the crowd of the first sweeps: does any of `sizesBytes` (sizes the flow said fail) pass now? A
 * loaded host can silence a flow's probes near its boundary three times in a row (seen at 32 lab
 * hosts: 8166 on a clean 9000 pair); a path that carries less never acks them. True means the
 * reading was not the path, and the flow is swept again.
 */
export async function flowPassesAbove(options: {
  target: Extract<ProbeTarget, { mode: 'peer' }>;
  device?: string;
  sizesBytes: readonly number[];
  sweepTimeoutMs: number;
}): Promise<boolean> {
  const transport = await openProbeTransport({ target: options.target, ...(options.device === undefined ? {} : { device: options.device }) });
  try {
    const sizes = options.sizesBytes.flatMap((size) => new Array<number>(ASKS_PER_SIZE).fill(size));
    const timeoutMs = Math.min(CONFIRM_TIMEOUT_CEILING_MS, Math.max(CONFIRM_TIMEOUT_FLOOR_MS, 2 * options.sweepTimeoutMs));
    const reports = await transport.sendRound(sizes, timeoutMs);
    return reports.some((r) => r.outcome === 'passed');
  } finally {
    await transport.close();
  }
}
