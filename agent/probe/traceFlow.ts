import type { FlowTrace } from '../../proto/pmtuSweep.js';
import { minProbeBytes } from './probePackets.js';
import { openProbeTransport, type ProbeTarget, type TtlReport } from './probeTransport.js';

/**
 * Hop limits sent in one round. Leaf-spine fabrics are 3–5 routed hops deep; a second window
 * covers a path through a WAN or a deeper Clos before giving up.
 */
const HOPS_PER_WINDOW = 8;
const MAX_HOPS = 2 * HOPS_PER_WINDOW;
/** Routers answer time-exceeded from their control plane, which real gear rate-limits: one more ask per silent hop. */
const ASKS = 2;
const TRACE_TIMEOUT_FLOOR_MS = 100;
const TRACE_TIMEOUT_CEILING_MS = 1000;

export interface TraceFlowOptions {
  target: Extract<ProbeTarget, { mode: 'peer' }>;
  device?: string;
  /** The sweep's own probe timeout: the trace waits twice that, as routers answer from a slower path. */
  sweepTimeoutMs: number;
}

/**
 * The routers one flow crosses, found with TTL-limited probes over the flow's own 5-tuple (its
 * source port, and for IPv6 its flow label), as Paris traceroute keeps the flow identifier fixed
 * so that load balancers keep the probes on one path. Each hop limit is asked in one burst; a
 * silent hop before the peer is asked once more.
 */
export async function traceFlow(options: TraceFlowOptions): Promise<FlowTrace> {
  const transport = await openProbeTransport({ target: options.target, ...(options.device === undefined ? {} : { device: options.device }) });
  const timeoutMs = Math.min(TRACE_TIMEOUT_CEILING_MS, Math.max(TRACE_TIMEOUT_FLOOR_MS, 2 * options.sweepTimeoutMs));
  const sizeBytes = minProbeBytes(transport.family, 'peer');
  const answers = new Map<number, TtlReport>();
  const reachedAt = (): number | null => {
    const reached = [...answers.values()].filter((a) => a.reached).map((a) => a.hopLimit);
    return reached.length === 0 ? null : Math.min(...reached);
  };
  try {
    for (let first = 1; first <= MAX_HOPS && reachedAt() === null; first += HOPS_PER_WINDOW) {
      const window = Array.from({ length: HOPS_PER_WINDOW }, (_, i) => first + i);
      for (let ask = 0; ask < ASKS; ask += 1) {
        const reach = reachedAt();
        const pending = window.filter((h) => (reach === null || h < reach) && !(answers.get(h)?.from || answers.get(h)?.reached));
        if (pending.length === 0) break;
        for (const report of await transport.sendTtlRound(pending, sizeBytes, timeoutMs)) {
          if (report.from !== null || report.reached || !answers.has(report.hopLimit)) answers.set(report.hopLimit, report);
        }
      }
    }
  } finally {
    await transport.close();
  }
  const reachedAtHop = reachedAt();
  const last = reachedAtHop === null ? MAX_HOPS : reachedAtHop - 1;
  return {
    hops: Array.from({ length: last }, (_, i) => answers.get(i + 1)?.from ?? null),
    reachedAtHop,
  };
}
