import type { NicFacts } from '../../proto/agentFacts.js';
import type { IcmpHint, PmtuSweepResult, ProbeRecord } from '../../proto/pmtuSweep.js';
import { flowCoverage, flowCoverageWords } from './flowCoverage.js';
import { frameBytes, windowsJumboPacketBytes } from '../model/frameBytes.js';
import type { DirectionVerdict } from '../model/pmtuReport.js';
import type { PmtuVerdict } from '../model/verdicts.js';
import { vxlanUnderlayAdvice } from './vxlanUnderlayAdvice.js';
import { flowSplitAdvice } from './flowSplitWords.js';

export interface DirectionEnds {
  senderName: string;
  receiverName: string;
  /** The sender's NIC the probes left through. */
  senderNic: NicFacts | null;
  /** The receiver's NIC holding the target address; null for a target with no agent. */
  receiverNic: NicFacts | null;
}


function describeFailure(sweep: PmtuSweepResult): string {
  const e = sweep.failEvidence;
  const parts: string[] = [];
  if (e.silent) parts.push(`${e.silent}× silent`);
  if (e.icmp) parts.push(`${e.icmp}× frag-needed`);
  if (e.local) parts.push('refused by the sending NIC');
  if (e.sendError) parts.push(`${e.sendError}× send error`);
  return parts.join(', ') || 'failed';
}

/**
 * The verdict for one direction, derived only from the facts the agents reported. Pure: the same
 * facts always give the same verdict, and the explanation says which facts decided it.
 */
function oneFlowVerdict(sweep: PmtuSweepResult, ends: DirectionEnds): Omit<DirectionVerdict, 'flows'> {
  const senderMtu = sweep.deviceMtuBytes ?? ends.senderNic?.mtuBytes ?? null;
  const receiverMtu = ends.receiverNic?.mtuBytes ?? null;
  const roundTrip = sweep.mode === 'echo';
  const base = {
    largestOkBytes: sweep.largestOkBytes,
    smallestFailBytes: sweep.smallestFailBytes,
    roundTrip,
    complete: sweep.complete,
    senderNicMtuBytes: senderMtu,
    receiverNicMtuBytes: receiverMtu,
    probes: sweep.probesSent,
    elapsedMs: sweep.elapsedMs,
  };
  const path = sweep.largestOkBytes;
  const route = `${ends.senderName} → ${ends.receiverName}`;
  if (!sweep.reachable || path === null) {
    return {
      ...base, verdict: 'unreachable', pathMtu: null, pathFrameBytes: null, icmp: null,
      explanation: `${route}: not even small probes were answered, so no size can be judged`,
      advice: `check that ${sweep.targetAddress} is up and routed from ${sweep.sourceAddress ?? ends.senderName}, and that no firewall drops UDP${roundTrip ? ' or ICMP echo' : ''} to it`,
    };
  }
  const proof = `${path} passed, ${sweep.smallestFailBytes ?? path + 1} ${describeFailure(sweep)}${sweep.complete ? '' : ' (boundary not proved: probe budget ran out)'}`;
  const hint = sweep.icmpHints.find((h) => h.mtuBytes === path) ?? null;
  const icmp = hint ? { from: hint.from, mtu: hint.mtuBytes } : null;
  const common = { ...base, pathMtu: path, pathFrameBytes: frameBytes(path), icmp };

  if (senderMtu !== null && receiverMtu !== null && senderMtu !== receiverMtu && path === Math.min(senderMtu, receiverMtu)) {
    const [big, small] = senderMtu > receiverMtu ? [ends.senderName, ends.receiverName] : [ends.receiverName, ends.senderName];
    const bigMtu = Math.max(senderMtu, receiverMtu);
    const smallMtu = Math.min(senderMtu, receiverMtu);
    return {
      ...common, verdict: 'mtu-mismatch',
      explanation: senderMtu > receiverMtu
        ? `${route}: the NIC MTUs differ (${senderMtu} vs ${receiverMtu}); packets above ${receiverMtu} bytes are dropped by the receiving NIC (${proof})`
        : `${route}: the NIC MTUs differ (${senderMtu} vs ${receiverMtu}); this sender cannot send above its own ${senderMtu}, while ${ends.receiverName} sends larger packets back (${proof})`,
      advice: `set both NICs to the same MTU: raise ${small}'s NIC MTU to ${bigMtu} (Windows 'Jumbo Packet' ${windowsJumboPacketBytes(bigMtu)}) if every switch carries ${frameBytes(bigMtu)}-byte frames, or lower ${big}'s NIC MTU to ${smallMtu}`,
    };
  }
  if (senderMtu !== null && path >= senderMtu && (receiverMtu === null || path >= receiverMtu)) {
    return {
      ...common, verdict: 'ok',
      explanation: `${route}: ${path}-byte packets (${frameBytes(path)}-byte frames) cross end to end${roundTrip ? ' and back (round trip)' : ''}; the NIC MTU is the limit (${proof})`,
      advice: null,
    };
  }
  const nicMtu = Math.min(senderMtu ?? Infinity, receiverMtu ?? Infinity);
  const nicText = Number.isFinite(nicMtu) ? `${nicMtu}` : 'the NIC MTU';
  const fixNic = `set the NIC MTU to ${path} on both hosts (Windows 'Jumbo Packet' ${windowsJumboPacketBytes(path)})`;
  // An overlay's limit is usually its underlay's: then the fix is there, not at the overlay's switch ports.
  const overlay = vxlanUnderlayAdvice(path, Number.isFinite(nicMtu) ? nicMtu : (senderMtu ?? path), ends.senderNic);
  if (icmp) {
    return {
      ...common, verdict: 'frag-needed',
      explanation: `${route}: router ${icmp.from} limits packets to ${icmp.mtu} bytes and says so with ICMP ${sweep.family === 4 ? 'frag-needed' : 'Packet Too Big'} (${proof})${overlay?.explanation ?? ''}`,
      advice: overlay?.advice ?? `raise the MTU of ${icmp.from}'s egress interface to ${nicText}, or ${fixNic}`,
    };
  }
  const ignoredHints = sweep.icmpHints.filter((h) => h.mtuBytes !== path);
  return {
    ...common, verdict: 'silent-drop',
    explanation: `${route}: something on the path drops packets above ${path} bytes (frames above ${frameBytes(path)}) and tells nobody: a switch silently capping frames, or a router whose ICMP is filtered (${proof})`
      + (ignoredHints.length ? `; an ICMP hint of ${ignoredHints[0]!.mtuBytes} from ${ignoredHints[0]!.from} was not confirmed by probing` : '')
      + (overlay?.explanation ?? ''),
    advice: overlay ? overlay.advice : Number.isFinite(nicMtu)
      ? `raise every switch port on the path to at least ${frameBytes(nicMtu)}-byte frames (${frameBytes(nicMtu, 1)} with an 802.1Q tag), or ${fixNic}`
      : fixNic,
  };
}

/**
 * Each flow's own validated ICMP hints, from the probes that name their flow (one pass over the
 * probe log); null when no probe does (then the sweep's hints are all there is).
 */
function icmpHintsByFlow(probes: readonly ProbeRecord[]): Map<number, IcmpHint[]> | null {
  let byFlow: Map<number, IcmpHint[]> | null = null;
  for (const p of probes) {
    if (p.flow === undefined) continue;
    byFlow ??= new Map();
    const hints = byFlow.get(p.flow) ?? [];
    if (!byFlow.has(p.flow)) byFlow.set(p.flow, hints);
    if (p.icmp && !hints.some((h) => h.from === p.icmp!.from && h.mtuBytes === p.icmp!.mtuBytes)) hints.push(p.icmp);
  }
  return byFlow;
}

/**
 * One flow of a multi-flow sweep as a sweep of its own: its own result and ICMP hints, the
 * direction's addresses and NIC. So a flow class is judged by the very rules the direction is.
 */
function flowSweepResult(sweep: PmtuSweepResult, flow: number, hintsByFlow: Map<number, IcmpHint[]> | null): PmtuSweepResult {
  const f = sweep.flows![flow]!;
  return {
    ...sweep,
    reachable: f.reachable, largestOkBytes: f.largestOkBytes, smallestFailBytes: f.smallestFailBytes,
    failEvidence: f.failEvidence, complete: f.complete, probesSent: f.probesSent, rounds: f.rounds,
    icmpHints: hintsByFlow ? hintsByFlow.get(flow) ?? [] : sweep.icmpHints,
    sourcePort: f.sourcePort,
    flows: undefined,
  };
}

const FAILURE_WORDS: Record<PmtuVerdict, string> = {
  ok: 'stops', 'mtu-mismatch': 'stops', 'frag-needed': 'is limited by a router (frag-needed)', 'silent-drop': 'silently drops', unreachable: 'gets no answer',
};

/**
 * The verdict for one direction, derived only from the facts the agents reported. Pure: the same
 * facts always give the same verdict, and the explanation says which facts decided it. A sweep
 * over many flows is judged by its smallest flow class (the size safe for any connection), and
 * the explanation says first how the flows split.
 */
export function pmtuVerdict(sweep: PmtuSweepResult, ends: DirectionEnds): DirectionVerdict {
  const verdict = oneFlowVerdict(sweep, ends);
  const hintsByFlow = icmpHintsByFlow(sweep.probes);
  const flows = flowCoverage(sweep.flows, (flow) => oneFlowVerdict(flowSweepResult(sweep, flow, hintsByFlow), ends).verdict);
  const words = flowCoverageWords(flows, FAILURE_WORDS[verdict.verdict], verdict.verdict === 'frag-needed');
  const route = `${ends.senderName} → ${ends.receiverName}: `;
  const explanation = words && verdict.explanation.startsWith(route)
    ? `${route}${words}${verdict.explanation.slice(route.length)}`
    : words + verdict.explanation;
  // The device to look at comes first: on a multipath fabric it is the one only failing flows cross.
  const best = flows?.multipath ? flows.classes[flows.classes.length - 1]?.pathMtuBytes ?? null : null;
  const where = best !== null ? flowSplitAdvice(flows?.split ?? null, best) : null;
  const advice = where && verdict.advice ? `${where}; otherwise ${verdict.advice}` : where ?? verdict.advice;
  return { ...verdict, flows, explanation, advice };
}
