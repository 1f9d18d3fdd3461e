import type { FlowSweep } from '../../proto/pmtuSweep.js';
import { pathMtuRepro, tracepathRepro } from './reproCommands.js';
import { pairDirections, type PairDirectionView } from '../model/pairDirections.js';
import type { FailingOnlyHop } from '../model/flowSplit.js';
import type { FlowCoverage } from '../model/pmtuReport.js';
import type { Finding, PairResult } from '../model/runReport.js';

/** Pairs whose failing flows must meet at one router before it is named for the run. */
const MIN_PAIRS = 2;

export interface HopDirectionEvidence {
  pairId: string;
  direction: string;
  /** The hop at which the failing flows met the router. */
  hop: number;
  /** Share of the direction's flows that failed (found a smaller path MTU, or none). */
  failingShare: number;
  /** What the failing flows found (their smallest class); null when they got no answer. */
  failingPathMtu: number | null;
  /** What the other flows of the direction carried. */
  passingPathMtu: number | null;
}

export interface HopCulpritEvidence {
  /**
   * The router's addresses: a router answers from the interface facing each sender, so the two
   * directions of the same pairs name two addresses of one box; they are one finding.
   */
  addresses: string[];
  /** One entry per direction whose failing flows, and no passing flow, crossed the router. */
  directions: HopDirectionEvidence[];
  pairs: string[];
}

export interface HopCulpritFinding extends Finding {
  kind: 'culprit-switch';
  evidence: HopCulpritEvidence;
}

const percent = (share: number): string => `${Math.round(share * 100)} %`;

const passingFlows = (coverage: FlowCoverage): FlowSweep[] => {
  const best = coverage.classes[coverage.classes.length - 1]?.pathMtuBytes ?? null;
  return (coverage.sweeps ?? []).filter((f) => (f.reachable ? f.largestOkBytes : null) === best);
};

/**
 * A router named by the run: when the failing flows of several pairs all cross the same router,
 * at a hop only failing flows cross (whereFlowsPart), and no flow that passed in any traced
 * direction crossed it, that router (or the link after it) is the likely culprit, with the pairs,
 * shares and sizes as evidence. Each direction names the first such hop whose router no passing
 * flow of the run met: a spine whose one capped port is toward another leaf still carries passing
 * flows of other pairs, and then the far end of that link is the hop to name. Addresses named by
 * exactly the same pairs are taken for one router (its interfaces toward each side) and make one
 * finding. Pure.
 */
export function inferHopCulprits(results: readonly PairResult[]): HopCulpritFinding[] {
  const split: Array<{ d: PairDirectionView; coverage: FlowCoverage; hops: FailingOnlyHop[] }> = [];
  const passingHops = new Map<string, number>();
  for (const r of results) {
    for (const d of pairDirections(r)) {
      const coverage = d.report && d.report.verdict !== 'error' ? d.report.flows ?? null : null;
      if (!coverage?.multipath) continue;
      for (const f of passingFlows(coverage)) for (const hop of new Set(f.trace?.hops ?? [])) if (hop) passingHops.set(hop, (passingHops.get(hop) ?? 0) + 1);
      if (coverage.split?.kind === 'routed') split.push({ d, coverage, hops: coverage.split.hops });
    }
  }
  const byAddress = new Map<string, { directions: HopDirectionEvidence[]; sample: PairDirectionView }>();
  for (const { d, coverage, hops } of split) {
    const named = hops
      .map((h) => ({ hop: h.hop, addresses: h.addresses.filter((a) => !passingHops.has(a)) }))
      .find((h) => h.addresses.length > 0);
    if (!named) continue;
    const failing = coverage.classes.slice(0, -1);
    const evidence: HopDirectionEvidence = {
      pairId: d.pair.id, direction: d.direction, hop: named.hop,
      failingShare: failing.reduce((sum, c) => sum + c.share, 0),
      failingPathMtu: failing[0]?.pathMtuBytes ?? null,
      passingPathMtu: coverage.classes[coverage.classes.length - 1]?.pathMtuBytes ?? null,
    };
    for (const address of named.addresses) {
      const entry = byAddress.get(address) ?? { directions: [], sample: d };
      entry.directions.push(evidence);
      byAddress.set(address, entry);
    }
  }
  const routers = new Map<string, HopCulpritEvidence & { sample: PairDirectionView }>();
  for (const [address, { directions, sample }] of byAddress) {
    const pairs = [...new Set(directions.map((d) => d.pairId))].sort();
    if (pairs.length < MIN_PAIRS) continue;
    const key = pairs.join('\n');
    const router = routers.get(key);
    if (router) {
      router.addresses.push(address);
      router.directions.push(...directions);
    } else {
      routers.set(key, { addresses: [address], directions: [...directions], pairs, sample });
    }
  }
  const findings = [...routers.values()].map(({ sample, ...e }) => hopFinding({ ...e, addresses: [...e.addresses].sort() }, sample));
  return findings.sort((a, b) => b.evidence.pairs.length - a.evidence.pairs.length || a.scope.localeCompare(b.scope));
}

function hopFinding(e: HopCulpritEvidence, sample: PairDirectionView): HopCulpritFinding {
  const sizes = [...new Set(e.directions.map((d) => d.failingPathMtu))];
  const failed = sizes.length === 1 && sizes[0] !== null ? `only ${sizes[0]}` : `only ${sizes.map((s) => s ?? 'nothing').join(' or ')}`;
  const best = Math.max(...e.directions.map((d) => d.passingPathMtu ?? 0));
  const shares = e.directions.map((d) => d.failingShare);
  const shareRange = `${percent(Math.min(...shares))}–${percent(Math.max(...shares))}`;
  const hops = [...new Set(e.directions.map((d) => d.hop))].join('/');
  const router = e.addresses.join(' / ');
  const which = e.addresses.length === 1 ? router : `${router} (one router, answering from its interface toward each side)`;
  const limit = sizes.length === 1 ? sizes[0] ?? null : null;
  return {
    kind: 'culprit-switch',
    severity: 'fail',
    scope: `hop=${e.addresses.join(',')}`,
    title: `router ${router} (hop ${hops}) carries ${failed} on the flows hashed through it; its ECMP siblings carry ${best}`,
    explanation:
      `In ${e.directions.length} direction${e.directions.length === 1 ? '' : 's'} of ${e.pairs.length} pairs (${e.pairs.join(', ')}), every flow that found less than ${best} `
      + `(${shareRange} of each direction's flows) crosses ${which} at hop ${hops}, and no flow that carried ${best} crosses it in any traced direction. `
      + `That router or the link after it is the likely culprit; ECMP hashes each connection onto one path, so that share of all connections between these hosts fails while pings pass.`,
    fix: `look at ${router}: the MTU of its interfaces and of the link toward the next hop; raise them to carry ${best} like its ECMP siblings, or take it out of the ECMP group until then`,
    repro: [
      `# one probe flow takes one ECMP path: only flows hashed through ${router} fail, so a ping or tracepath may pass; \`pathprobe pmtu\` probes 23 flows`,
      tracepathRepro(sample.sender, sample.receiver),
      ...(limit === null ? [] : pathMtuRepro(sample.sender, sample.receiver, limit)),
    ],
    evidence: e,
  };
}
