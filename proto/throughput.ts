import { z } from 'zod';
import { IpAddress } from './ipAddress.js';

/** iperf3 3.12 accepts at most 128 parallel streams (esnet/iperf#324). */
export const MAX_STREAMS = 128;
/** One iperf3 process per core at most: 3.12 is single-threaded, more processes only contend. */
export const MAX_IPERF_PROCESSES = 8;
/** Node's fetch waits 300 s at most for an answer; a run answers after omit + duration + margin. */
export const MAX_DURATION_MS = 240_000;

/**
 * POST /v1/iperf/servers: the receiving agent starts `count` one-shot iperf3 servers on free ports
 * of `bindAddress`. They hold the agent's single throughput slot until stopped (DELETE) or until
 * `maxLifetimeMs` passes.
 */
export const StartIperfServersRequest = z.object({
  v: z.number().int(),
  bindAddress: IpAddress,
  count: z.number().int().min(1).max(MAX_IPERF_PROCESSES),
  maxLifetimeMs: z.number().int().min(1000).max(MAX_DURATION_MS + 60_000),
}).strict();
export type StartIperfServersRequest = z.infer<typeof StartIperfServersRequest>;

export const StartIperfServersResponse = z.object({
  v: z.number().int(),
  sessionId: z.string(),
  ports: z.array(z.number().int().min(1).max(65535)),
  iperfVersion: z.string(),
});
export type StartIperfServersResponse = z.infer<typeof StartIperfServersResponse>;

/** DELETE /v1/iperf/servers/:sessionId */
export const StopIperfServersResponse = z.object({
  v: z.number().int(),
  sessionId: z.string(),
  /** Servers still running at stop time had to be killed: their client vanished or hung. */
  killed: z.number().int(),
});
export type StopIperfServersResponse = z.infer<typeof StopIperfServersResponse>;

/**
 * Why a throughput run did not produce a measurement. Decided from iperf3's JSON `error` field and
 * the byte counts, never from its exit code (3.12 exits 0 on runtime errors under -J).
 */
export const IperfFailureClass = z.enum([
  'busy', 'refused', 'connect-timeout', 'timeout', 'control-channel', 'stalled',
  'server-terminated', 'idle-timeout', 'msgsize', 'param-error', 'other',
]);
export type IperfFailureClass = z.infer<typeof IperfFailureClass>;

/**
 * POST /v1/iperf/run: the sending agent runs iperf3 clients toward the servers at
 * target.address:ports, spreading `streams` over one process per port. `mssBytes` null = the
 * kernel's MSS from the NIC MTU (the jumbo row); otherwise `-M`.
 */
export const IperfRunRequest = z.object({
  v: z.number().int(),
  sourceAddress: IpAddress.optional(),
  target: z.object({
    address: IpAddress,
    ports: z.array(z.number().int().min(1).max(65535)).min(1).max(MAX_IPERF_PROCESSES),
  }).strict(),
  streams: z.number().int().min(1).max(MAX_STREAMS),
  mssBytes: z.number().int().min(88).max(9216).nullable(),
  durationMs: z.number().int().min(1000).max(MAX_DURATION_MS),
  omitMs: z.number().int().min(0).max(10_000).default(1000),
  congestionControl: z.enum(['cubic', 'reno', 'bbr']).default('cubic'),
}).strict();
export type IperfRunRequest = z.infer<typeof IperfRunRequest>;

/** One iperf3 client process of a run, decoded narrowly. */
export const IperfProcessResult = z.object({
  port: z.number().int(),
  streams: z.number().int(),
  failure: z.object({ class: IperfFailureClass, message: z.string() }).nullable(),
  bytesSent: z.number().nullable(),
  bytesReceived: z.number().nullable(),
  bitsPerSecondReceived: z.number().nullable(),
  retransmits: z.number().int().nullable(),
  senderCpuPercent: z.number().nullable(),
  receiverCpuPercent: z.number().nullable(),
  /** Received-side bits per second per interval is not in a client's JSON; these are the sender's, omitted intervals excluded. */
  intervalBitsPerSecond: z.array(z.number()),
  congestionControl: z.string().nullable(),
  timedOut: z.boolean(),
  /**
   * Bytes per stream (`end.streams[]`), in stream order. On a multipath fabric one stream can be
   * hashed onto a member that drops large frames while the others flow: the sums hide it, this
   * does not. Absent from agents before it existed; empty when the results had no streams.
   */
  perStream: z.array(z.object({ bytesSent: z.number().nullable(), bytesReceived: z.number().nullable() })).optional(),
});
export type IperfProcessResult = z.infer<typeof IperfProcessResult>;

export const IperfRunResult = z.object({
  v: z.number().int(),
  iperfVersion: z.string(),
  processes: z.array(IperfProcessResult),
  /** The MSS the kernel really used on a data stream (`ss -ti`), null when it could not be sampled. */
  mssBytesObserved: z.number().int().nullable(),
  /** Busiest core on this agent during the run (/proc/stat): per-process CPU misses softirq work. */
  maxCorePercent: z.number().nullable(),
  elapsedMs: z.number(),
});
export type IperfRunResult = z.infer<typeof IperfRunResult>;
