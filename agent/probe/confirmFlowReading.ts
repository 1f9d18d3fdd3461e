import { openProbeTransport, type ProbeReport, type ProbeTarget } from './probeTransport.js';

/** Each size asked twice, so one lost probe cannot decide; the same odds as the search's own repeats. */
const ASKS_PER_SIZE = 2;
const CONFIRM_TIMEOUT_FLOOR_MS = 50;
const CONFIRM_TIMEOUT_CEILING_MS = 1600;

/**
 * One more round for a flow that read smaller than its sibling flows, over its own 5-tuple and
 * after the crowd of the first sweeps: the sizes it said fail, asked again. A loaded host can
 * silence a flow's probes near its boundary round after round (seen at 32 lab hosts: 8166 on a
 * clean 9000 pair); a path that carries less never acks them. So an ack here means the reading
 * was not the path, and silence is the last of the boundary's failing rounds. Every probe is
 * returned as a fact.
 */
export async function askFlowAgain(options: {
  target: Extract<ProbeTarget, { mode: 'peer' }>;
  device?: string;
  sizesBytes: readonly number[];
  sweepTimeoutMs: number;
}): Promise<ProbeReport[]> {
  const transport = await openProbeTransport({ target: options.target, ...(options.device === undefined ? {} : { device: options.device }) });
  try {
    const sizes = options.sizesBytes.flatMap((size) => new Array<number>(ASKS_PER_SIZE).fill(size));
    // The sweep's own last timeout (already 4 RTTs, and backed off if answers came late).
    const timeoutMs = Math.min(CONFIRM_TIMEOUT_CEILING_MS, Math.max(CONFIRM_TIMEOUT_FLOOR_MS, options.sweepTimeoutMs));
    return await transport.sendRound(sizes, timeoutMs);
  } finally {
    await transport.close();
  }
}
