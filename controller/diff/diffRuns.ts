import type { AgentFactsResponse, NicFacts } from '../../proto/agentFacts.js';
import type { ThroughputCell, ThroughputCellStatus } from '../throughput/throughputCell.js';
import type { ThroughputDirectionMatrix } from '../throughput/throughputMatrix.js';
import { formatBitsPerSecond, formatPercent } from '../render/throughputFormat.js';
import type { DirectionReport, EndReport } from '../pmtu/pmtuReport.js';
import type { Pair, PairResult, RunReport } from '../run/runModel.js';

/*
 * What changed between two runs of (usually) the same plan, per pair and direction: path MTU,
 * verdict, throughput beyond noise, sweet spot, jumbo verdict, and the environment changes that may
 * explain them. Pure: two RunReports in, one RunDiff out.
 */

export const RUN_DIFF_SCHEMA = 'pathprobe.diff/v1';
/** A throughput median must move by more than this fraction (and beyond the noise) to count. */
export const DEFAULT_THROUGHPUT_THRESHOLD = 0.10;
/** Below this many ok repeats on either side, a throughput change is shown but never judged. */
export const MIN_JUDGED_REPEATS = 2;

export interface DiffOptions {
  /** Default 0.10 = 10 %. */
  throughputThreshold?: number;
}

export type DiffDirection = 'forward' | 'reverse';

export type EnvironmentKind =
  | 'nic-mtu' | 'nic-speed' | 'nic-driver' | 'nic-addresses' | 'nic-name' | 'agent-version' | 'kernel' | 'iperf-version';

export type ChangeKind =
  | 'pair-added' | 'pair-removed'
  | 'path-mtu' | 'verdict'
  | 'throughput' | 'cell-status' | 'sweet-spot' | 'jumbo-verdict'
  | EnvironmentKind;

export type ChangeCategory = 'pair' | 'path-mtu' | 'throughput' | 'environment';

export type DiffValue = string | number | null;

/** One side of a compared throughput cell. */
export interface CellSide {
  status: ThroughputCellStatus | 'absent';
  okRepeats: number;
  medianBitsPerSecond: number | null;
  minBitsPerSecond: number | null;
  maxBitsPerSecond: number | null;
  toolBound: boolean;
}

/**
 * - beyond-noise: the medians moved more than the threshold and the repeats' [min, max] ranges do not overlap
 * - within-noise: the medians moved more than the threshold but the ranges overlap
 * - single-sample: one side has fewer than 2 ok repeats: shown, never judged
 * - status: the cell measured on one side only (failed, errored, skipped or absent on the other)
 */
export type CellJudgement = 'beyond-noise' | 'within-noise' | 'single-sample' | 'status';

export interface ThroughputCellChange {
  row: string;
  streams: number;
  before: CellSide;
  after: CellSide;
  /** (after − before) / before of the medians; null unless both measured. */
  relativeChange: number | null;
  rangesOverlap: boolean | null;
  judgement: CellJudgement;
}

export interface DiffChange {
  pairId: string;
  /** Null for a change of the whole pair (added, removed). */
  direction: DiffDirection | null;
  kind: ChangeKind;
  category: ChangeCategory;
  /** What inside the pair/direction: e.g. 'jumbo P4', '1500 row', 'h2 ens1f0 (198.18.1.12)', 'h1'; null for the direction itself. */
  subject: string | null;
  before: DiffValue;
  after: DiffValue;
  /** A real change, not noise: every path-MTU, verdict and environment change; throughput only beyond noise and threshold. */
  significant: boolean;
  /** This change makes the diff regressed. */
  regression: boolean;
  explanation: string;
  cell?: ThroughputCellChange;
}

export interface DirectionSnapshot {
  /** A path-MTU verdict, 'error' when it could not be measured, null when it was not tested. */
  verdict: string | null;
  pathMtu: number | null;
  jumboVerdict: string | null;
}

export interface DirectionDiff {
  direction: DiffDirection;
  route: string;
  before: DirectionSnapshot;
  after: DirectionSnapshot;
  /** Performance changes first, then the environment changes that may explain them. */
  changes: DiffChange[];
  regressed: boolean;
}

export interface PairDiff {
  pairId: string;
  pair: Pair;
  status: 'compared' | 'added' | 'removed';
  /** Changes of the whole pair (added / removed). */
  changes: DiffChange[];
  /** Both directions for a compared pair, none for an added or removed one. */
  directions: DirectionDiff[];
  changed: boolean;
  regressed: boolean;
}

/** An environment change of one host (address null) or of the NIC holding one tested address. */
export interface EnvironmentChange {
  host: string;
  address: string | null;
  nic: string | null;
  kind: EnvironmentKind;
  before: DiffValue;
  after: DiffValue;
  explanation: string;
  /** Pairs (of either run) with this host or address at one end. */
  pairs: string[];
}

export interface RunRef {
  runId: string;
  startedAt: string;
  status: RunReport['status'];
}

export interface RunDiff {
  schema: typeof RUN_DIFF_SCHEMA;
  base: RunRef;
  next: RunRef;
  throughputThreshold: number;
  regressed: boolean;
  /** Every pair of either run: compared ones in the next run's order, then removed ones. */
  pairs: PairDiff[];
  /** Every environment change, whether or not a pair shows a change it may explain. */
  environment: EnvironmentChange[];
  /** Flat: pair-level changes, then each direction's changes (environment ones attached where they may explain something). */
  changes: DiffChange[];
  summary: {
    pairsCompared: number;
    pairsAdded: number;
    pairsRemoved: number;
    pairsChanged: number;
    pairsUnchanged: number;
    changes: number;
    significant: number;
    regressions: number;
  };
}

const DIRECTIONS: readonly DiffDirection[] = ['forward', 'reverse'];

/** Worse is higher. 'error' (could not measure) has no rank: only ok → error counts as worse. */
const VERDICT_RANK: Record<string, number> = { ok: 0, 'mtu-mismatch': 1, 'frag-needed': 2, 'silent-drop': 3, unreachable: 4 };
const JUMBO_RANK: Record<string, number> = { 'jumbo-gain': 0, 'jumbo-no-gain': 0, 'jumbo-slower': 1, 'jumbo-stalled': 2 };

export function verdictGotWorse(before: string | null, after: string | null): boolean {
  if (before === null || after === null || before === after) return false;
  if (before === 'ok') return true;
  const b = VERDICT_RANK[before];
  const a = VERDICT_RANK[after];
  return b !== undefined && a !== undefined && a > b;
}

export function jumboVerdictGotWorse(before: string | null, after: string | null): boolean {
  if (before === null || after === null) return false;
  const b = JUMBO_RANK[before];
  const a = JUMBO_RANK[after];
  return b !== undefined && a !== undefined && a > b;
}

const bps = (v: number | null): string => (v === null ? '-' : formatBitsPerSecond(v));
const signedPercent = (ratio: number): string => `${ratio >= 0 ? '+' : '−'}${formatPercent(Math.abs(ratio))}`;
const range = (s: CellSide): string => `[${bps(s.minBitsPerSecond)}, ${bps(s.maxBitsPerSecond)}]`;

// ---------------------------------------------------------------------------------------------
// Path MTU

function directionReportOf(result: PairResult, direction: DiffDirection): DirectionReport | null {
  if (!result.pmtu) return null;
  return direction === 'forward' ? result.pmtu.forward : result.pmtu.reverse;
}

function matrixDirection(result: PairResult, direction: DiffDirection): ThroughputDirectionMatrix | null {
  return result.throughput?.directions.find((d) => d.direction === direction) ?? null;
}

function snapshot(result: PairResult, direction: DiffDirection): DirectionSnapshot {
  const jumboVerdict = matrixDirection(result, direction)?.jumboVerdict.verdict ?? null;
  if (result.pmtuError) return { verdict: 'error', pathMtu: null, jumboVerdict };
  const d = directionReportOf(result, direction);
  if (!d) return { verdict: null, pathMtu: null, jumboVerdict };
  return { verdict: d.verdict, pathMtu: 'pathMtu' in d ? d.pathMtu : null, jumboVerdict };
}

function routeOf(result: PairResult, direction: DiffDirection): string {
  const d = directionReportOf(result, direction);
  if (d) return d.direction;
  const m = matrixDirection(result, direction);
  if (m) return m.route;
  const { a, b } = result.pair;
  return direction === 'forward' ? `${a.agent} → ${b.agent}` : `${b.agent} → ${a.agent}`;
}

function verdictText(result: PairResult, direction: DiffDirection): string {
  if (result.pmtuError) return `${result.pmtuError.code}: ${result.pmtuError.message}`;
  const d = directionReportOf(result, direction);
  if (!d) return '';
  return d.verdict === 'error' ? `${d.error.code}: ${d.error.message}` : d.explanation;
}

function pathMtuChanges(pairId: string, direction: DiffDirection, base: PairResult, next: PairResult): DiffChange[] {
  const before = snapshot(base, direction);
  const after = snapshot(next, direction);
  const changes: DiffChange[] = [];
  const common = { pairId, direction, category: 'path-mtu' as const, subject: null };
  if (before.verdict === null || after.verdict === null) {
    if (before.verdict !== after.verdict) {
      changes.push({
        ...common, kind: 'verdict', before: before.verdict, after: after.verdict, significant: true, regression: false,
        explanation: after.verdict === null ? 'the path MTU was not measured in the newer run' : 'the path MTU was not measured in the older run',
      });
    }
    return changes;
  }
  if (before.pathMtu !== after.pathMtu) {
    const down = before.pathMtu !== null && after.pathMtu !== null && after.pathMtu < before.pathMtu;
    changes.push({
      ...common, kind: 'path-mtu', before: before.pathMtu, after: after.pathMtu, significant: true, regression: down,
      explanation: `path MTU ${before.pathMtu ?? 'none'} → ${after.pathMtu ?? 'none'}${down ? ': larger packets no longer get through' : ''}`,
    });
  }
  if (before.verdict !== after.verdict) {
    const worse = verdictGotWorse(before.verdict, after.verdict);
    const why = verdictText(next, direction);
    changes.push({
      ...common, kind: 'verdict', before: before.verdict, after: after.verdict, significant: true, regression: worse,
      explanation: `verdict ${before.verdict} → ${after.verdict}${worse ? ' (worse)' : ''}${why ? `: ${why}` : ''}`,
    });
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Throughput

function cellSide(cell: ThroughputCell | undefined): CellSide {
  if (!cell || cell.status === 'not-run') {
    return { status: 'absent', okRepeats: 0, medianBitsPerSecond: null, minBitsPerSecond: null, maxBitsPerSecond: null, toolBound: false };
  }
  return {
    status: cell.status, okRepeats: cell.okRepeats, medianBitsPerSecond: cell.medianBitsPerSecond,
    minBitsPerSecond: cell.minBitsPerSecond, maxBitsPerSecond: cell.maxBitsPerSecond, toolBound: cell.toolBound,
  };
}

function cellsByKey(m: ThroughputDirectionMatrix | null): Map<string, ThroughputCell> {
  const cells = new Map<string, ThroughputCell>();
  for (const row of m?.rows ?? []) for (const cell of row.cells) cells.set(`${row.row.row} P${cell.streams}`, cell);
  return cells;
}

function judgeCell(
  pairId: string, direction: DiffDirection, subject: string, row: string, streams: number,
  b: CellSide, a: CellSide, threshold: number,
): DiffChange | null {
  const common = { pairId, direction, kind: 'throughput' as const, category: 'throughput' as const, subject };
  const bothMeasured = b.medianBitsPerSecond !== null && a.medianBitsPerSecond !== null;
  if (!bothMeasured) {
    if (b.status === a.status) return null;
    // iperf3 ran and measured nothing (e.g. stalled) where it measured before: the path got worse.
    const regression = b.medianBitsPerSecond !== null && a.status === 'failed';
    return {
      ...common, kind: 'cell-status', before: b.status, after: a.status, significant: true, regression,
      explanation: b.medianBitsPerSecond !== null
        ? `${subject}: measured ${bps(b.medianBitsPerSecond)} before, now ${a.status === 'absent' ? 'not run' : a.status}`
        : a.medianBitsPerSecond !== null
          ? `${subject}: ${b.status === 'absent' ? 'not run' : b.status} before, now measured ${bps(a.medianBitsPerSecond)}`
          : `${subject}: ${b.status} → ${a.status}`,
      cell: { row, streams, before: b, after: a, relativeChange: null, rangesOverlap: null, judgement: 'status' },
    };
  }
  const mb = b.medianBitsPerSecond!;
  const ma = a.medianBitsPerSecond!;
  const rel = mb > 0 ? (ma - mb) / mb : ma > 0 ? 1 : 0;
  if (Math.abs(rel) <= threshold) return null;
  const overlap = b.minBitsPerSecond! <= a.maxBitsPerSecond! && a.minBitsPerSecond! <= b.maxBitsPerSecond!;
  const moved = `${subject}: median ${bps(mb)} → ${bps(ma)} (${signedPercent(rel)})`;
  const toolNote = b.toolBound || a.toolBound ? `; ${a.toolBound && !b.toolBound ? 'now ' : ''}tool-bound: the hosts' CPU, not only the network, set the rate` : '';
  const cell = (judgement: CellJudgement): ThroughputCellChange => ({
    row, streams, before: b, after: a, relativeChange: rel, rangesOverlap: overlap, judgement,
  });
  if (b.okRepeats < MIN_JUDGED_REPEATS || a.okRepeats < MIN_JUDGED_REPEATS) {
    return {
      ...common, before: mb, after: ma, significant: false, regression: false,
      explanation: `${moved}; changed (single sample, not judged): ${b.okRepeats} and ${a.okRepeats} ok repeats, at least ${MIN_JUDGED_REPEATS} on each side are needed to judge the noise${toolNote}`,
      cell: cell('single-sample'),
    };
  }
  if (overlap) {
    return {
      ...common, before: mb, after: ma, significant: false, regression: false,
      explanation: `${moved}; within noise: the repeats' ranges ${range(b)} and ${range(a)} overlap${toolNote}`,
      cell: cell('within-noise'),
    };
  }
  return {
    ...common, before: mb, after: ma, significant: true, regression: rel < 0,
    explanation: `${moved}, beyond the noise (ranges ${range(b)} and ${range(a)} do not overlap) and the ${formatPercent(threshold)} threshold${rel < 0 ? '' : ': faster'}${toolNote}`,
    cell: cell('beyond-noise'),
  };
}

function sweetSpotText(s: { streams: number | null; degradesBeyond: number | null } | null): string {
  if (!s || s.streams === null) return 'none';
  return `P${s.streams}${s.degradesBeyond !== null ? ` (degrades beyond P${s.degradesBeyond})` : ''}`;
}

function throughputChanges(pairId: string, direction: DiffDirection, base: PairResult, next: PairResult, threshold: number): DiffChange[] {
  const mb = matrixDirection(base, direction);
  const ma = matrixDirection(next, direction);
  if (!mb && !ma) return [];
  const changes: DiffChange[] = [];
  const before = cellsByKey(mb);
  const after = cellsByKey(ma);
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const cellOf = (key: string) => (before.get(key) ?? after.get(key))!;
  for (const key of keys) {
    const c = cellOf(key);
    const change = judgeCell(pairId, direction, key, c.row, c.streams, cellSide(before.get(key)), cellSide(after.get(key)), threshold);
    if (change) changes.push(change);
  }

  // Sweet spots, per row present on both sides.
  for (const rowBefore of mb?.rows ?? []) {
    const rowAfter = ma?.rows.find((r) => r.row.row === rowBefore.row.row);
    if (!rowAfter) continue;
    const sb = rowBefore.sweetSpot;
    const sa = rowAfter.sweetSpot;
    const tb = sweetSpotText(sb);
    const ta = sweetSpotText(sa);
    if (tb === ta) continue;
    const rowMovedBeyondNoise = changes.some((c) => c.significant && c.cell?.row === rowBefore.row.row);
    const significant = rowMovedBeyondNoise || (sb.basis === 'none') !== (sa.basis === 'none');
    changes.push({
      pairId, direction, kind: 'sweet-spot', category: 'throughput', subject: `${rowBefore.row.row} row`,
      before: tb, after: ta, significant, regression: false,
      explanation: `${rowBefore.row.row} row sweet spot ${tb} → ${ta}${significant ? '' : ' (no cell of the row moved beyond the noise)'}: ${sa.explanation}`,
    });
  }

  // Jumbo verdict.
  const jb = mb?.jumboVerdict ?? null;
  const ja = ma?.jumboVerdict ?? null;
  const vb = jb?.verdict ?? null;
  const va = ja?.verdict ?? null;
  if (vb !== va) {
    const worse = jumboVerdictGotWorse(vb, va);
    const flip = vb !== null && va !== null && JUMBO_RANK[vb] === 0 && JUMBO_RANK[va] === 0;
    changes.push({
      pairId, direction, kind: 'jumbo-verdict', category: 'throughput', subject: null,
      before: vb, after: va, significant: !flip, regression: worse,
      explanation: `jumbo verdict ${vb ?? 'none'} → ${va ?? 'none'}${flip ? ' (a gain near the noise threshold)' : ''}: ${ja?.explanation ?? jb?.reason ?? ''}`,
    });
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Environment

interface HostEnv {
  agentVersion: string | null;
  kernel: string | null;
}

interface EnvIndex {
  hosts: Map<string, HostEnv>;
  /** `agent/address` → the NIC holding that address. */
  nics: Map<string, NicFacts>;
  /** agent → distinct iperf3 versions it ran (as sender or receiver). */
  iperf: Map<string, Set<string>>;
  /** agent / `agent/address` → pair ids. */
  pairsOf: Map<string, Set<string>>;
}

const bareAddress = (cidr: string): string => cidr.split('/')[0]!;

function addPair(index: EnvIndex, key: string, pairId: string): void {
  let set = index.pairsOf.get(key);
  if (!set) index.pairsOf.set(key, (set = new Set()));
  set.add(pairId);
}

function addIperf(index: EnvIndex, agent: string, version: string | undefined): void {
  if (!version) return;
  let set = index.iperf.get(agent);
  if (!set) index.iperf.set(agent, (set = new Set()));
  set.add(version);
}

function envIndex(report: RunReport): EnvIndex {
  const index: EnvIndex = { hosts: new Map(), nics: new Map(), iperf: new Map(), pairsOf: new Map() };
  const facts = (agent: string): AgentFactsResponse | null => {
    const f = report.facts[agent];
    return f && !('error' in f) ? f : null;
  };
  for (const [agent, f] of Object.entries(report.facts)) {
    if (!('error' in f)) index.hosts.set(agent, { agentVersion: f.agentVersion, kernel: f.kernel });
  }
  // Keyed by the plan's agent name: an end's own name is its hostname (or address), which would
  // file the same NIC twice.
  const fromEnd = (agent: string, end: EndReport | undefined) => {
    if (!end) return;
    if (!index.hosts.has(agent) && (end.agentVersion !== null || end.kernel !== null)) {
      index.hosts.set(agent, { agentVersion: end.agentVersion, kernel: end.kernel });
    }
    const key = `${agent}/${end.address}`;
    if (!index.nics.has(key) && end.nic) index.nics.set(key, end.nic);
  };
  for (const result of report.pairs) {
    const { pair } = result;
    for (const end of [pair.a, pair.b]) {
      const key = `${end.agent}/${end.address}`;
      addPair(index, end.agent, pair.id);
      addPair(index, key, pair.id);
      const nic = facts(end.agent)?.nics.find((n) => n.addresses.some((a) => bareAddress(a) === end.address));
      if (nic) index.nics.set(key, nic);
    }
    fromEnd(pair.a.agent, result.pmtu?.from);
    fromEnd(pair.b.agent, result.pmtu?.to);
    for (const cell of result.cells) {
      const r = cell.record;
      if (!('result' in r)) continue;
      const [sender, receiver] = r.direction === 'forward' ? [pair.a.agent, pair.b.agent] : [pair.b.agent, pair.a.agent];
      addIperf(index, sender, r.result.iperfVersion);
      addIperf(index, receiver, r.receiverIperfVersion);
    }
  }
  return index;
}

const versions = (set: Set<string> | undefined): string | null => (set && set.size ? [...set].sort().join(', ') : null);

function environmentChanges(base: RunReport, next: RunReport): EnvironmentChange[] {
  const b = envIndex(base);
  const a = envIndex(next);
  const changes: EnvironmentChange[] = [];
  const pairsOf = (key: string) => [...new Set([...(b.pairsOf.get(key) ?? []), ...(a.pairsOf.get(key) ?? [])])];
  const hosts = [...new Set([...b.hosts.keys(), ...a.hosts.keys()])].filter((h) => b.hosts.has(h) && a.hosts.has(h));
  for (const host of hosts) {
    const hb = b.hosts.get(host)!;
    const ha = a.hosts.get(host)!;
    const push = (kind: EnvironmentKind, what: string, before: string | null, after: string | null) => {
      if (before === null || after === null || before === after) return;
      changes.push({ host, address: null, nic: null, kind, before, after, explanation: `${host}: ${what} ${before} → ${after}`, pairs: pairsOf(host) });
    };
    push('agent-version', 'agent version', hb.agentVersion, ha.agentVersion);
    push('kernel', 'kernel', hb.kernel, ha.kernel);
    push('iperf-version', 'iperf3 version', versions(b.iperf.get(host)), versions(a.iperf.get(host)));
  }
  const endpoints = [...new Set([...b.nics.keys(), ...a.nics.keys()])].filter((k) => b.nics.has(k) && a.nics.has(k));
  for (const key of endpoints) {
    const nb = b.nics.get(key)!;
    const na = a.nics.get(key)!;
    const slash = key.indexOf('/');
    const host = key.slice(0, slash);
    const address = key.slice(slash + 1);
    const where = `${host} ${na.name} (${address})`;
    const push = (kind: EnvironmentKind, what: string, before: DiffValue, after: DiffValue, note = '') => {
      if (before === after) return;
      changes.push({
        host, address, nic: na.name, kind, before, after,
        explanation: `${where}: ${what} ${before ?? 'unknown'} → ${after ?? 'unknown'}${note}`, pairs: pairsOf(key),
      });
    };
    push('nic-name', 'NIC holding the address', nb.name, na.name);
    push('nic-mtu', 'NIC MTU', nb.mtuBytes, na.mtuBytes, na.mtuBytes < nb.mtuBytes ? ': caps the path MTU of every pair through it' : '');
    push('nic-speed', 'link speed (Mbit/s)', nb.speedMbps, na.speedMbps);
    push('nic-driver', 'driver', nb.driver, na.driver);
    push('nic-addresses', 'addresses', [...nb.addresses].sort().join(', '), [...na.addresses].sort().join(', '));
  }
  return changes;
}

function attachEnvironment(pairId: string, direction: DiffDirection, env: readonly EnvironmentChange[]): DiffChange[] {
  return env.filter((e) => e.pairs.includes(pairId)).map((e) => ({
    pairId, direction, kind: e.kind, category: 'environment' as const,
    subject: e.address === null ? e.host : `${e.host} ${e.nic ?? 'NIC'} (${e.address})`,
    before: e.before, after: e.after, significant: true, regression: false,
    explanation: `${e.explanation}; may explain the change(s) in this direction`,
  }));
}

// ---------------------------------------------------------------------------------------------

function missingExplanation(pair: Pair, other: RunReport, otherName: 'newer' | 'older'): string {
  for (const end of [pair.a, pair.b]) {
    const f = other.facts[end.agent];
    if (f && 'error' in f) return `agent ${end.agent} could not be reached in the ${otherName} run: ${f.error}`;
    if (!other.plan.agents.some((agent) => agent.name === end.agent)) return `agent ${end.agent} is not in the ${otherName} run's plan`;
  }
  return `not among the ${otherName} run's pairs (its plan tests other addresses)`;
}

export function diffRuns(base: RunReport, next: RunReport, options: DiffOptions = {}): RunDiff {
  const threshold = options.throughputThreshold ?? DEFAULT_THROUGHPUT_THRESHOLD;
  const environment = environmentChanges(base, next);
  const baseById = new Map(base.pairs.map((p) => [p.pair.id, p]));
  const nextIds = new Set(next.pairs.map((p) => p.pair.id));
  const pairs: PairDiff[] = [];

  for (const result of next.pairs) {
    const pairId = result.pair.id;
    const old = baseById.get(pairId);
    if (!old) {
      const change: DiffChange = {
        pairId, direction: null, kind: 'pair-added', category: 'pair', subject: null, before: null, after: pairId,
        significant: true, regression: false, explanation: `new pair: ${missingExplanation(result.pair, base, 'older')}`,
      };
      pairs.push({ pairId, pair: result.pair, status: 'added', changes: [change], directions: [], changed: true, regressed: false });
      continue;
    }
    const directions: DirectionDiff[] = DIRECTIONS.map((direction) => {
      const perf = [...pathMtuChanges(pairId, direction, old, result), ...throughputChanges(pairId, direction, old, result, threshold)];
      const changes = perf.length ? [...perf, ...attachEnvironment(pairId, direction, environment)] : [];
      return {
        direction, route: routeOf(result, direction), before: snapshot(old, direction), after: snapshot(result, direction),
        changes, regressed: changes.some((c) => c.regression),
      };
    });
    const changed = directions.some((d) => d.changes.length > 0);
    pairs.push({ pairId, pair: result.pair, status: 'compared', changes: [], directions, changed, regressed: directions.some((d) => d.regressed) });
  }
  for (const result of base.pairs) {
    const pairId = result.pair.id;
    if (nextIds.has(pairId)) continue;
    const change: DiffChange = {
      pairId, direction: null, kind: 'pair-removed', category: 'pair', subject: null, before: pairId, after: null,
      significant: true, regression: false, explanation: `pair no longer tested: ${missingExplanation(result.pair, next, 'newer')}`,
    };
    pairs.push({ pairId, pair: result.pair, status: 'removed', changes: [change], directions: [], changed: true, regressed: false });
  }

  const changes = pairs.flatMap((p) => [...p.changes, ...p.directions.flatMap((d) => d.changes)]);
  const ref = (r: RunReport): RunRef => ({ runId: r.runId, startedAt: r.startedAt, status: r.status });
  const compared = pairs.filter((p) => p.status === 'compared');
  return {
    schema: RUN_DIFF_SCHEMA,
    base: ref(base),
    next: ref(next),
    throughputThreshold: threshold,
    regressed: changes.some((c) => c.regression),
    pairs,
    environment,
    changes,
    summary: {
      pairsCompared: compared.length,
      pairsAdded: pairs.filter((p) => p.status === 'added').length,
      pairsRemoved: pairs.filter((p) => p.status === 'removed').length,
      pairsChanged: compared.filter((p) => p.changed).length,
      pairsUnchanged: compared.filter((p) => !p.changed).length,
      changes: changes.length,
      significant: changes.filter((c) => c.significant).length,
      regressions: changes.filter((c) => c.regression).length,
    },
  };
}
