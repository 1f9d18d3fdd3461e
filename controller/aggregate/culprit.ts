import { frameBytes } from '../model/frameBytes.js';
import { iperfRepro, pathMtuRepro, reachabilityRepro, tracepathRepro } from './reproCommands.js';
import type { Endpoint } from '../model/endpoint.js';
import { pairDirections, type PairDirectionView } from '../model/pairDirections.js';
import type { PlanAgent } from '../model/plan.js';
import type { Finding, PairResult } from '../model/runReport.js';
import { inLabelGroup, labelGroups } from '../plan/labelGroups.js';
import { endpointKey } from '../model/endpoint.js';
import { labelsOfEndpoints } from '../model/endpointLabels.js';
import { pairEnds, type Pair } from '../model/pair.js';

/** Label keys that name a network device, most likely culprits first. */
export const DEVICE_LABEL_KEYS: readonly string[] = ['switch', 'tor', 'leaf', 'spine'];

export interface CulpritEvidence {
  key: string;
  value: string;
  /** Agents carrying the label value (on themselves or on a NIC). */
  agents: string[];
  /** The measured NICs (agent/address) carrying it: with per-NIC labels, not every NIC of those agents. */
  endpoints: string[];
  /** The path MTU every crossing direction stopped at. */
  pathMtu: number;
  /** Measured pairs with exactly one end in the group: every direction silent-drop at `pathMtu`. */
  crossingPairs: string[];
  /** Measured pairs with both or no ends in the group: every direction ok. */
  passingPairs: string[];
  /** Path MTUs the passing pairs reached, ascending. */
  passingPathMtus: number[];
  /** True when every crossing pair was measured in both directions. */
  bothDirections: boolean;
  /** Pairs left out because no direction could be measured (agent or transport errors). */
  unmeasuredPairs: string[];
}

export interface CulpritFinding extends Finding {
  kind: 'culprit-switch';
  evidence: CulpritEvidence;
}

interface MeasuredPair {
  pair: Pair;
  directions: PairDirectionView[];
}

const route = (d: { sender: Endpoint; receiver: Endpoint }) =>
  `${d.sender.agent} (${d.sender.address}) → ${d.receiver.agent} (${d.receiver.address})`;

function explains(
  group: { key: string; value: string; agents: string[] },
  measured: readonly MeasuredPair[],
  has: (endpoint: Endpoint) => boolean,
): Omit<CulpritEvidence, 'unmeasuredPairs'> | null {
  const crossing: MeasuredPair[] = [];
  const other: MeasuredPair[] = [];
  for (const m of measured) (has(m.pair.a) !== has(m.pair.b) ? crossing : other).push(m);
  if (crossing.length === 0 || other.length === 0) return null;
  const first = crossing[0]!.directions[0]!;
  const pathMtu = first.pathMtu;
  if (pathMtu === null) return null;
  // A direction whose flows split crossed a capped path on some flows only: no one switch that
  // every flow crosses explains it (hopCulprit.ts names the router the failing flows share).
  const splitFlows = (d: PairDirectionView) => d.report !== null && d.report.verdict !== 'error' && d.report.flows?.multipath === true;
  const allDrop = crossing.every((m) => m.directions.every((d) => d.verdict === 'silent-drop' && d.pathMtu === pathMtu && !splitFlows(d)));
  const allOk = other.every((m) => m.directions.every((d) => d.verdict === 'ok'));
  if (!allDrop || !allOk) return null;
  const endpoints = [...new Set(measured.flatMap((m) => [m.pair.a, m.pair.b]).filter(has).map(endpointKey))];
  return {
    key: group.key, value: group.value, agents: group.agents, endpoints, pathMtu,
    crossingPairs: crossing.map((m) => m.pair.id),
    passingPairs: other.map((m) => m.pair.id),
    passingPathMtus: [...new Set(other.flatMap((m) => m.directions.map((d) => d.pathMtu)).filter((v): v is number => v !== null))].sort((a, b) => a - b),
    bothDirections: crossing.every((m) => m.directions.length === 2),
  };
}

/**
 * Name a switch when one label value explains every failure: every measured direction of every
 * pair that crosses it (one end has the label value, the other does not) silently drops above the
 * same path MTU X, and every pair that does not cross it passes. Device-like keys (switch, tor,
 * leaf, spine) are tried first, then any other key; among the values that explain the failures the
 * smallest group wins (tor-2 with one host rather than tor-1 with six: both cut the same pairs).
 * Two different groups of the same smallest size explain it equally (each side of one uplink), so
 * there is no single culprit then; nor when the failures fit no label value, when nothing fails,
 * or when no pair outside the group passed to compare with. The per-pair findings stand either way.
 * Directions that could not be measured ('error') are left out. Pure.
 */
export function inferCulprits(results: readonly PairResult[], agents: readonly PlanAgent[]): CulpritFinding[] {
  const measured: MeasuredPair[] = [];
  const unmeasuredPairs: string[] = [];
  for (const r of results) {
    const directions = pairDirections(r).filter((d) => d.verdict !== 'error');
    if (directions.length === 0) unmeasuredPairs.push(r.pair.id);
    else measured.push({ pair: r.pair, directions });
  }
  if (!measured.some((m) => m.directions.some((d) => d.verdict !== 'ok'))) return [];

  const groups = labelGroups(agents);
  const inGroup = inLabelGroup(agents);
  const keys = [...new Set(groups.map((g) => g.key))];
  const deviceKeys = DEVICE_LABEL_KEYS.filter((k) => keys.includes(k));
  const tiers = [deviceKeys, keys.filter((k) => !DEVICE_LABEL_KEYS.includes(k))];
  for (const tier of tiers) {
    const candidates = groups
      .filter((g) => tier.includes(g.key))
      .map((g) => explains(g, measured, (e) => inGroup(g, e)))
      .filter((c): c is NonNullable<typeof c> => c !== null);
    if (candidates.length === 0) continue;
    const smallest = Math.min(...candidates.map((c) => c.endpoints.length));
    const best = candidates
      .filter((c) => c.endpoints.length === smallest)
      .sort((x, y) => tier.indexOf(x.key) - tier.indexOf(y.key));
    const sameHosts = (c: (typeof best)[number]) => [...c.endpoints].sort().join('\n') === [...best[0]!.endpoints].sort().join('\n');
    if (!best.every(sameHosts)) return [];
    // Per-NIC labels put only some NICs of a host behind a switch: name the NICs then.
    const perNic = agents.some((a) => Object.keys(a.nicLabels ?? {}).length > 0);
    const labelsOf = labelsOfEndpoints(agents);
    const behind = measured.flatMap((m) => [m.pair.a, m.pair.b]).filter((e) => best[0]!.endpoints.includes(endpointKey(e)));
    const switches = [...new Set(behind.map((e) => labelsOf(e).switch))];
    const onSwitch = switches.length === 1 && switches[0] !== undefined ? switches[0] : null;
    return [culpritFinding({ ...best[0]!, unmeasuredPairs }, measured, perNic, onSwitch)];
  }
  return [];
}

/** `perNic`: the plan labels NICs, so a switch has NICs behind it rather than whole hosts. */
function culpritFinding(e: CulpritEvidence, measured: readonly MeasuredPair[], perNic: boolean, onSwitch: string | null): CulpritFinding {
  const X = e.pathMtu;
  // A port is named with its switch: "switch tor-b, port pb4".
  const port = onSwitch !== null && e.value.startsWith(`${onSwitch}/`) ? e.value.slice(onSwitch.length + 1) : e.value;
  const name = e.key === 'port' && onSwitch !== null ? `switch ${onSwitch}, port ${port}` : `${e.key} ${e.value}`;
  const scope = `${e.key}=${e.value}`;
  const crossingIds = new Set(e.crossingPairs);
  const crossing = measured.filter((m) => crossingIds.has(m.pair.id));
  const dirs = crossing.flatMap((m) => m.directions);
  const nicMtus = dirs
    .map((d) => (d.report && d.report.verdict !== 'error' ? [d.report.senderNicMtuBytes, d.report.receiverNicMtuBytes] : [null]))
    .map((v) => (v.some((x) => x === null) ? null : Math.min(...(v as number[]))))
    .filter((v): v is number => v !== null);
  const nicMtu = nicMtus.length ? Math.max(...nicMtus) : null;
  const behind = perNic ? e.endpoints : e.agents;
  const hosts = behind.length === 1
    ? `${behind[0]} is the only ${perNic ? 'NIC' : 'host'} behind it, so its port or cable on ${name} is as likely as the switch itself`
    : `the ${perNic ? 'NICs' : 'hosts'} behind it are ${behind.join(', ')}`;
  const passing = e.passingPathMtus.length ? ` at ${e.passingPathMtus.join('/')}` : '';
  const explanation =
    `${e.crossingPairs.length} of ${e.crossingPairs.length} pairs crossing ${scope} (one end behind it, the other not) silently drop packets above ${X} bytes `
    + `(frames above ${frameBytes(X)}, + 4 per 802.1Q tag) ${e.bothDirections ? 'in both directions' : 'in every measured direction'}, `
    + `while the ${e.passingPairs.length} pair${e.passingPairs.length === 1 ? '' : 's'} not crossing it pass${e.passingPairs.length === 1 ? 'es' : ''}${passing}. `
    + `One label value explains every failure: ${name} (or a link into it) caps frames at ${frameBytes(X)} bytes and says nothing; ${hosts}.`
    + (e.unmeasuredPairs.length ? ` ${e.unmeasuredPairs.length} pair${e.unmeasuredPairs.length === 1 ? '' : 's'} could not be measured and ${e.unmeasuredPairs.length === 1 ? 'is' : 'are'} left out.` : '');
  const target = nicMtu === null
    ? `the NIC MTU + 18 bytes (+ 4 per 802.1Q tag)`
    : `${frameBytes(nicMtu)}-byte frames (NIC MTU ${nicMtu} + 18; ${frameBytes(nicMtu, 1)} with an 802.1Q tag, + 4 per tag)`;
  const fix = `raise the MTU of ${name}'s ports (host ports and uplinks) to at least ${target}; `
    + `or, until then, set the NIC MTU to ${X} on every host whose traffic crosses ${name}`;
  const sample = crossing[0]!.directions[0]!;
  return {
    kind: 'culprit-switch',
    severity: 'fail',
    scope,
    title: `${name} silently drops frames above ${frameBytes(X)} bytes (IP MTU ${X})`,
    explanation,
    fix,
    repro: [...pathMtuRepro(sample.sender, sample.receiver, X), ...iperfRepro(sample.sender, sample.receiver, X)],
    evidence: e,
  };
}

/**
 * One finding per pair direction that is not ok (kind 'path-mtu', or 'unreachable' for unreachable
 * and unmeasured directions; a pair whose sweep could not run at all gets one finding), and one per
 * throughput direction whose jumbo verdict is 'jumbo-stalled' or 'jumbo-slower'. Explanations and
 * fixes are the text the verdicts carry; repro commands run on the sending host. Pure.
 */
export function pairFindings(results: readonly PairResult[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of results) {
    const { pair } = r;
    const directions = pairDirections(r);
    if (r.pmtu === null && r.pmtuError !== null) {
      findings.push({
        kind: 'unreachable', severity: 'fail', scope: pair.id,
        title: `${pair.a.agent} ↔ ${pair.b.agent}: path MTU not measured (${r.pmtuError.code})`,
        explanation: `${route({ sender: pair.a, receiver: pair.b })}: the sweep could not run: ${r.pmtuError.message}`,
        fix: 'check that both agents run, are reachable from the controller and accept the token, then re-run',
        repro: reachabilityRepro(pair.a, pair.b),
      });
    } else {
      for (const d of directions) {
        const f = directionFinding(d);
        if (f) findings.push(f);
      }
    }
    for (const m of r.throughput?.directions ?? []) {
      const v = m.jumboVerdict;
      if (v.verdict !== 'jumbo-stalled' && v.verdict !== 'jumbo-slower') continue;
      const ends = pairEnds(pair, m.direction);
      const pmtu = directions.find((d) => d.direction === m.direction)?.pathMtu ?? null;
      const jumbo = v.jumboMtuBytes ?? 9000;
      if (v.verdict === 'jumbo-stalled') {
        const capped = pmtu !== null && pmtu < jumbo;
        findings.push({
          kind: 'jumbo-stalled', severity: 'fail', scope: pair.id,
          title: `${route(ends)}: TCP at jumbo ${jumbo} stalls`,
          explanation: v.explanation,
          fix: capped
            ? `raise every switch port on the path to at least ${frameBytes(jumbo)}-byte frames (${frameBytes(jumbo, 1)} with an 802.1Q tag), or set the NIC MTU to ${pmtu} on both hosts`
            : `make the NIC MTUs equal and every switch port on the path carry ${frameBytes(jumbo)}-byte frames; if the path MTU sweep passes at ${jumbo}, look for a middlebox dropping large TCP segments`,
          repro: iperfRepro(ends.sender, ends.receiver, capped ? pmtu : 1500),
        });
      } else {
        findings.push({
          kind: 'jumbo-slower', severity: 'warn', scope: pair.id,
          title: `${route(ends)}: jumbo ${jumbo} is ${v.gainPercent === null ? 'slower' : `${Math.abs(v.gainPercent)} % slower`} than 1500`,
          explanation: v.explanation,
          fix: `look for drops of large frames (switch buffers, a middlebox slow path) or NIC offloads that behave differently at ${jumbo}; until found, 1500 is the faster setting for this pair`,
          repro: iperfRepro(ends.sender, ends.receiver, 1500, 'compare'),
        });
      }
    }
  }
  return findings;
}

function directionFinding(d: PairDirectionView): Finding | null {
  const rt = route(d);
  const scope = d.pair.id;
  const report = d.report;
  if (report === null || report.verdict === 'ok') return null;
  if (report.verdict === 'error') {
    return {
      kind: 'unreachable', severity: 'fail', scope,
      title: `${rt}: not measured (${report.error.code})`,
      explanation: `${rt}: ${report.error.message}`,
      fix: 'check that both agents run and are reachable from the controller, then re-run',
      repro: reachabilityRepro(d.sender, d.receiver),
    };
  }
  if (report.verdict === 'unreachable') {
    return {
      kind: 'unreachable', severity: 'fail', scope,
      title: `${rt}: unreachable, not even small probes were answered`,
      explanation: report.explanation, fix: report.advice, repro: reachabilityRepro(d.sender, d.receiver),
    };
  }
  const X = report.pathMtu!;
  const repro = pathMtuRepro(d.sender, d.receiver, X);
  if (report.verdict === 'frag-needed') {
    const router = report.icmp?.from ?? 'a router';
    return {
      kind: 'path-mtu', severity: 'warn', scope,
      title: `${rt}: router ${router} limits packets to ${report.icmp?.mtu ?? X} bytes (frag-needed)`,
      explanation: report.explanation, fix: report.advice, repro: [...repro, tracepathRepro(d.sender, d.receiver)],
    };
  }
  if (report.verdict === 'mtu-mismatch') {
    return {
      kind: 'path-mtu', severity: 'fail', scope,
      title: `${rt}: NIC MTUs differ (${report.senderNicMtuBytes} vs ${report.receiverNicMtuBytes}), path MTU ${X}`,
      explanation: report.explanation, fix: report.advice, repro,
    };
  }
  return {
    kind: 'path-mtu', severity: 'fail', scope,
    title: `${rt}: packets above ${X} bytes are silently dropped (frames above ${frameBytes(X)})`,
    explanation: report.explanation, fix: report.advice, repro: [...repro, ...iperfRepro(d.sender, d.receiver, X)],
  };
}
