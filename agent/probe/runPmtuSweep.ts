import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { addressFamilyOf } from '../../proto/ipAddress.js';
import type { PmtuSweepRequest, PmtuSweepResult, ProbeRecord } from '../../proto/pmtuSweep.js';
import { egressRoute } from './egressRoute.js';
import { checkSilentPeer } from './checkSilentPeer.js';
import { PmtuSearch, type PmtuSearchResult } from './pmtuSearch.js';
import { openProbeTransport, type ProbeReport, type ProbeTransport } from './probeTransport.js';

/** Lab and LAN RTTs are well under a millisecond; the floor absorbs scheduler hiccups on a busy host. */
const TIMEOUT_FLOOR_MS = 50;
/** The first round also pays for ARP / neighbour discovery (1–9 ms measured). */
const FIRST_ROUND_TIMEOUT_MS = 300;
const RTT_MULTIPLIER = 4;
/** Sizes every IPv4 (68, RFC 791) and IPv6 (1280) path must carry. */
const WARM_UP_BYTES = { 4: 68, 6: 1280 } as const;
/**
 * 2 probes per attempt: all lost at 4 % round-trip loss is < 1e-19. A peer that is merely slow
 * must be waited for: a loaded host, a stalled agent, or a kernel whose neighbour table is full
 * (new ARP / ND entries are refused until the garbage collector may evict one: docs/pmtud.md).
 * After the first seconds, a fresh pair every 2 s rather than one long wait: a probe dropped
 * while the neighbour could not be resolved is gone, and only a new one can use the entry
 * once it exists. About 11 s bounds the wait; a peer silent that long is gone or stuck, and
 * the result says which.
 */
const WARM_UP_TIMEOUTS_MS = [FIRST_ROUND_TIMEOUT_MS, 1000, 2000, 2000, 2000, 2000, 2000];
/** Searches after the first one that ended silent although the handshake was answered. */
const SEARCH_ATTEMPTS = 3;
/** The result of a peer sweep whose responder never acknowledged the handshake. */
const NO_ANSWER: PmtuSearchResult = {
  reachable: false, largestOkBytes: null, smallestFailBytes: null, complete: false,
  failEvidence: { silent: 0, icmp: 0, local: 0, sendError: 0 }, lossEstimate: 0, rounds: 0, probesSent: 0, stopReason: 'unreachable',
};
/** Smallest IPv4 probe that still holds the peer payload (20 IP + 8 UDP + 24 magic/seq/key). */
const MIN_PEER_PROBE_V4_BYTES = 68;
/** The IP length fields are 16 bits: loopback's 65536 MTU cannot be filled by one packet. */
const MAX_IP_PACKET_BYTES = 65535;

/** Backed-off timeouts stop here: beyond it the peer is not slow but gone. */
const TIMEOUT_CEILING_MS = 1600;

function timeoutFromRtts(rttsMs: readonly number[]): number {
  if (rttsMs.length === 0) return FIRST_ROUND_TIMEOUT_MS;
  return Math.max(TIMEOUT_FLOOR_MS, Math.ceil(RTT_MULTIPLIER * Math.max(...rttsMs)));
}

/**
 * Silence at sizes that already passed says nothing about size: either loss, or answers arriving
 * after the timeout (a loaded host). Late answers are dropped, so they never raise the RTT
 * estimate; when most known-good probes of a round went unanswered, double the timeout instead,
 * as TCP backs off its RTO. Isolated loss (a few per cent) rarely silences most of them.
 */
function nextBackoffFactor(factor: number, reports: readonly ProbeReport[], largestPassedBefore: number | null): number {
  // Known good includes what this round proved: in a first round where 1500 passed, a silent 68 B
  // probe at the tail of the burst is loss, not a sign that answers come late.
  const passedNow = reports.filter((r) => r.outcome === 'passed').map((r) => r.sizeBytes);
  const largestPassedBytes = Math.max(largestPassedBefore ?? 0, ...passedNow) || null;
  if (largestPassedBytes === null) return factor;
  const knownGood = reports.filter((r) => r.sizeBytes <= largestPassedBytes);
  const silent = knownGood.filter((r) => r.outcome === 'silent').length;
  if (knownGood.length > 0 && silent * 2 >= knownGood.length) return factor * 2;
  return Math.max(1, factor / 2);
}

/**
 * One direction's DF sweep: the pure PmtuSearch decides the sizes, the transport puts them on the
 * wire a round at a time, and every probe is returned as a fact. Silence costs one timeout per
 * round, derived from the RTTs this sweep measured.
 */
/** A request for one flow: `flows` is the multi-flow driver's business (runFlowSweeps.ts). */
export type OneFlowRequest =
  | Exclude<PmtuSweepRequest, { mode: 'peer' }>
  | (Omit<Extract<PmtuSweepRequest, { mode: 'peer' }>, 'flows'> & {
    flow?: FlowIdentity;
    /** Rounds the boundary must fail in before the search stops (PmtuSearch `confirmations`, default 3). */
    boundaryRounds?: number;
  });

/** What puts a flow on its path: a re-sweep or trace of a flow reuses both. */
export interface FlowIdentity {
  sourcePort: number;
  /** IPv6 only. */
  flowLabel?: number;
}

export async function runPmtuSweep(request: OneFlowRequest): Promise<PmtuSweepResult> {
  const family = addressFamilyOf(request.target.address);
  if (request.sourceAddress && addressFamilyOf(request.sourceAddress) !== family) {
    throw new PathprobeError('ERR_BAD_REQUEST', `source ${request.sourceAddress} and target ${request.target.address} are not the same address family`);
  }
  const startedAt = performance.now();
  let route;
  try {
    route = await egressRoute(request.target.address, request.sourceAddress);
  } catch (error) {
    throw new PathprobeError('ERR_PROBE_FAILED', (error as Error).message, { cause: error });
  }
  let transport: ProbeTransport;
  try {
    transport = await openProbeTransport({
      target: request.mode === 'peer'
        ? {
          mode: 'peer', address: request.target.address, port: request.target.port, keyHex: request.target.keyHex,
          ...(request.sourceAddress ?? route.sourceAddress ? { sourceAddress: (request.sourceAddress ?? route.sourceAddress) as string } : {}),
          ...(request.flow?.sourcePort === undefined ? {} : { sourcePort: request.flow.sourcePort }),
          ...(request.flow?.flowLabel === undefined ? {} : { flowLabel: request.flow.flowLabel }),
        }
        : { mode: 'echo', address: request.target.address },
      device: route.device,
    });
  } catch (error) {
    throw new PathprobeError('ERR_PROBE_FAILED', `cannot open probe sockets: ${(error as Error).message}`, { cause: error });
  }

  const sourcePort = transport.sourcePort;
  const flowLabel = transport.flowLabel;
  const deviceMtuBytes = Math.min(route.deviceMtuBytes, MAX_IP_PACKET_BYTES);
  const newSearch = () => new PmtuSearch({
    family,
    maxBytes: deviceMtuBytes,
    ...(family === 4 && request.mode === 'peer' ? { minBytes: MIN_PEER_PROBE_V4_BYTES } : {}),
    maxRounds: request.maxRounds,
    ...(request.mode === 'peer' && request.boundaryRounds !== undefined ? { confirmations: request.boundaryRounds } : {}),
  });
  let search = newSearch();
  const probes: ProbeRecord[] = [];
  const rttsMs: number[] = [];
  // The timeout follows the latest round that was answered, not the worst RTT ever seen: a sweep's
  // first rounds queue behind its own burst (and its sibling flows'), and one 40 ms RTT there
  // must not make every later round wait 160 ms. Late answers still back the timeout off.
  let latestRttsMs: number[] = [];
  let round = 0;
  let peerProved = false;
  let lastTimeoutMs = FIRST_ROUND_TIMEOUT_MS;
  const handshake = { attempts: 0, probesSent: 0, answered: 0, elapsedMs: 0, hostAnsweredEcho: null as boolean | null, neighbourEntry: null as boolean | null };
  const keep = (reports: readonly ProbeReport[], inRound: number) => {
    const answered = reports.filter((r) => r.outcome === 'passed' && r.rttMs !== null).map((r) => r.rttMs as number);
    if (answered.length > 0) latestRttsMs = answered;
    for (const report of reports) {
      probes.push({
        sizeBytes: report.sizeBytes, round: inRound, sentAtMs: report.sentAtMs, outcome: report.outcome,
        rttMs: report.rttMs, receivedBytes: report.receivedBytes, icmp: report.icmp, error: report.error,
      });
      if (report.outcome === 'passed' && report.rttMs !== null) rttsMs.push(report.rttMs);
    }
  };
  try {
    // Round 0 warms ARP / neighbour caches and measures the RTT with small probes, so that the
    // search's first round (which holds the silent sizes on any capped path) already waits only
    // a few RTTs instead of the cold-start timeout. It proves nothing about size.
    // In peer mode it is also the handshake: only a responder holding this sweep's key acks, and
    // no large probe is sent until one has, so an agent cannot be aimed at an arbitrary address.
    const warmUpBytes = Math.min(WARM_UP_BYTES[family], deviceMtuBytes);
    const handshakeStartedAt = performance.now();
    for (const warmUpTimeoutMs of WARM_UP_TIMEOUTS_MS) {
      if (rttsMs.length > 0) break;
      keep(await transport.sendRound([warmUpBytes, warmUpBytes], warmUpTimeoutMs), 0);
      handshake.attempts += 1;
    }
    handshake.probesSent = probes.length;
    handshake.answered = rttsMs.length;
    handshake.elapsedMs = Math.round((performance.now() - handshakeStartedAt) * 10) / 10;
    peerProved = rttsMs.length > 0 || request.mode === 'echo';
    let backoffFactor = 1;
    let timeoutMs = timeoutFromRtts(latestRttsMs);
    for (let attempt = 1; peerProved; attempt += 1) {
      while (!search.done) {
        const sizes = search.nextRound();
        if (sizes.length === 0) break;
        round += 1;
        const largestPassedBytes = Math.max(search.result().largestOkBytes ?? 0, rttsMs.length > 0 ? warmUpBytes : 0) || null;
        const reports = await transport.sendRound(sizes, timeoutMs);
        keep(reports, round);
        search.record(reports.map((r) => ({ sizeBytes: r.sizeBytes, outcome: r.outcome, icmp: r.icmp })));
        backoffFactor = nextBackoffFactor(backoffFactor, reports, largestPassedBytes);
        timeoutMs = Math.min(TIMEOUT_CEILING_MS, timeoutFromRtts(latestRttsMs) * backoffFactor);
      }
      // A peer that answered the handshake and then went quiet is far more often a loaded host
      // answering late than a path that died within a second: search again, waiting longer.
      const stop = search.result().stopReason;
      if ((stop !== 'unreachable' && stop !== 'path-went-silent') || rttsMs.length === 0 || attempt >= SEARCH_ATTEMPTS) break;
      backoffFactor *= 4;
      timeoutMs = Math.min(TIMEOUT_CEILING_MS, timeoutFromRtts(latestRttsMs) * backoffFactor);
      search = newSearch();
    }
    lastTimeoutMs = timeoutMs;
  } finally {
    await transport.close();
  }

  if (!peerProved) {
    // Silence alone cannot tell a dead path from a peer too slow to answer, or from this host's
    // own kernel refusing to resolve the neighbour; the two kernels can.
    Object.assign(handshake, await checkSilentPeer({ address: request.target.address, family, device: route.device, nextHop: route.nextHop }));
  }
  const result = peerProved ? search.result() : NO_ANSWER;
  const hints = new Map<string, { from: string; mtuBytes: number; probeBytes: number }>();
  for (const probe of probes) {
    if (probe.icmp) hints.set(`${probe.icmp.from}/${probe.icmp.mtuBytes}`, probe.icmp);
  }
  return {
    v: CONTRACT_VERSION,
    mode: request.mode,
    family,
    sourceAddress: request.sourceAddress ?? route.sourceAddress,
    targetAddress: request.target.address,
    device: route.device,
    deviceMtuBytes,
    reachable: result.reachable,
    largestOkBytes: result.largestOkBytes,
    smallestFailBytes: result.smallestFailBytes,
    failEvidence: result.failEvidence,
    complete: result.complete,
    icmpHints: [...hints.values()],
    probes,
    probesSent: probes.length,
    rounds: round,
    timeoutMs: lastTimeoutMs,
    lossEstimate: result.lossEstimate,
    elapsedMs: Math.round((performance.now() - startedAt) * 10) / 10,
    handshake,
    stopReason: result.stopReason,
    sourcePort,
    flowLabel,
  };
}
