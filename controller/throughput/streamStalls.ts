import type { IperfProcessResult, IperfRunResult } from '../../proto/throughput.js';

/** Frames that never arrive on the data connections: the process measured nothing. */
const STALL_CLASSES = new Set(['stalled', 'timeout', 'control-channel']);

/** How many of a run's streams stalled: bytes left the sender and none arrived. */
export interface StreamStalls {
  stalled: number;
  streams: number;
}

function processStalls(p: IperfProcessResult): number {
  // Per stream, when the agent reported it and the receiver's counts arrived: on a multipath
  // fabric one stream of a process can be hashed onto a member that drops large frames. Counted
  // on the receiving side alone: iperf3 3.12 lists the server's streams in its own order, so the
  // sent and received bytes at one index need not be one stream (seen in the lab: sent 0 next to
  // received 5 MB), and a stalled stream sends nothing after the omitted warm-up.
  const perStream = p.perStream ?? [];
  if (perStream.length > 0 && perStream.some((s) => s.bytesReceived !== null)) {
    return perStream.filter((s) => s.bytesReceived === 0).length;
  }
  const wholeProcess = p.failure !== null
    ? STALL_CLASSES.has(p.failure.class) && !(p.bytesReceived ?? 0)
    : (p.bytesSent ?? 0) > 0 && p.bytesReceived === 0;
  return wholeProcess ? p.streams : 0;
}

/** Stalled streams of one run, over all its iperf3 processes. Pure. */
export function streamStalls(result: IperfRunResult): StreamStalls {
  return {
    stalled: result.processes.reduce((sum, p) => sum + Math.min(p.streams, processStalls(p)), 0),
    streams: result.processes.reduce((sum, p) => sum + p.streams, 0),
  };
}

/** Every stream stalled: the frame size cannot carry data on this path at all. */
export function fullyStalled(stalls: StreamStalls): boolean {
  return stalls.streams > 0 && stalls.stalled === stalls.streams;
}

/** Some streams stalled while others flowed: one of several paths (ECMP, LAG member) caps frames. */
export function partiallyStalled(stalls: StreamStalls): boolean {
  return stalls.stalled > 0 && stalls.stalled < stalls.streams;
}
