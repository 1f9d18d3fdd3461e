import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import type { IperfProcessResult, IperfRunRequest, IperfRunResult } from '../../proto/throughput.js';
import { exec } from '../exec.js';
import { readCoreTimes, maxCorePercent } from './cpuSampler.js';
import type { CoreTimes } from './cpuSampler.js';
import { decodeIperfJson } from './decodeIperfJson.js';
import { requireIperf } from './iperfVersion.js';
import { sampleObservedMss } from './observedMss.js';

/** Only for unreachable hosts: connection setup uses small packets, so a capped path still connects. */
export const CONNECT_TIMEOUT_MS = 3_000;
/** Startup, the results exchange and process exit on top of omit + duration + connect timeout. */
export const DEFAULT_DEADLINE_MARGIN_MS = 5_000;
/** SIGTERM first: it makes the client print its partial JSON. SIGKILL prints nothing. */
const KILL_GRACE_MS = 2_000;
/** How far into the measured period `ss` looks for the MSS in use: streams are sending by then. */
const MSS_SAMPLE_AFTER_OMIT_MS = 500;

export interface RunIperfClientsOptions {
  /** Added to omit + duration + connect timeout before the deadline fires. */
  deadlineMarginMs?: number;
  /** Cancels the run: clients get SIGTERM, then SIGKILL. */
  signal?: AbortSignal;
}

/** `-t` and `-O` in 3.12 are whole seconds (atoi: `-t 1.5` runs 1 s), so milliseconds round up. */
export function wholeSeconds(durationMs: number): number {
  return Math.ceil(durationMs / 1000);
}

/**
 * PURE. `streams` over the ports as evenly as possible, one process per port used, at least one
 * stream each; the first ports take the remainder.
 */
export function spreadStreams(streams: number, ports: readonly number[]): Array<{ port: number; streams: number }> {
  const processes = Math.min(ports.length, streams);
  const base = Math.floor(streams / processes);
  const extra = streams % processes;
  return ports.slice(0, processes).map((port, index) => ({ port, streams: base + (index < extra ? 1 : 0) }));
}

/** PURE. One client's argv: no shell, every value its own argument. */
export function iperfClientArgs(request: IperfRunRequest, port: number, streams: number): string[] {
  return [
    '-c', request.target.address,
    '-p', String(port),
    '-J',
    '-t', String(wholeSeconds(request.durationMs)),
    '-O', String(wholeSeconds(request.omitMs)),
    '-P', String(streams),
    '-C', request.congestionControl,
    ...(request.mssBytes !== null ? ['-M', String(request.mssBytes)] : []),
    ...(request.sourceAddress !== undefined ? ['-B', request.sourceAddress] : []),
    '--connect-timeout', String(CONNECT_TIMEOUT_MS),
  ];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/**
 * Runs one iperf3 client per target port at once (3.12 is single-threaded: one process per core
 * beats a high -P), each under a deadline, and returns what each one measured or why it did not.
 * Meanwhile it notes the busiest core and, once after omit, the MSS a data stream really uses.
 */
export async function runIperfClients(request: IperfRunRequest, options: RunIperfClientsOptions = {}): Promise<IperfRunResult> {
  const version = await requireIperf();
  const plan = spreadStreams(request.streams, request.target.ports);
  const omitMs = wholeSeconds(request.omitMs) * 1000;
  const timeoutMs = omitMs + wholeSeconds(request.durationMs) * 1000 + CONNECT_TIMEOUT_MS
    + (options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS);
  const startedAt = performance.now();
  const clientsDone = new AbortController();

  const clients = Promise.all(plan.map(async ({ port, streams }): Promise<IperfProcessResult> => {
    const result = await exec('iperf3', iperfClientArgs(request, port, streams), {
      timeoutMs,
      killGraceMs: KILL_GRACE_MS,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    const decoded = decodeIperfJson(result.stdout, result);
    return { port, streams, ...decoded, timedOut: result.timedOut };
  })).finally(() => clientsDone.abort());

  // The measured period starts after omit; sampling there keeps slow-start out of both figures.
  const sampling = (async () => {
    await sleep(omitMs, clientsDone.signal);
    if (clientsDone.signal.aborted) return { mssBytesObserved: null, cpuBefore: await readCoreTimes() };
    const cpuBefore = await readCoreTimes();
    await sleep(MSS_SAMPLE_AFTER_OMIT_MS, clientsDone.signal);
    const mssBytesObserved = clientsDone.signal.aborted
      ? null
      : await sampleObservedMss(request.target.address, plan.map((p) => p.port));
    return { mssBytesObserved, cpuBefore };
  })();

  const processes = await clients;
  const elapsedMs = performance.now() - startedAt;
  const { mssBytesObserved, cpuBefore } = await sampling;
  const cpuAfter: CoreTimes | null = await readCoreTimes();
  return {
    v: CONTRACT_VERSION,
    iperfVersion: version,
    processes,
    mssBytesObserved,
    maxCorePercent: cpuBefore && cpuAfter ? maxCorePercent(cpuBefore, cpuAfter) : null,
    elapsedMs,
  };
}
