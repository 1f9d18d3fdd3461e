import type { AgentFactsResponse, NicFacts } from '../../proto/agentFacts.js';
import type { Direction } from '../model/direction.js';
import { endpointKey } from '../model/endpoint.js';
import { nicHolding } from '../model/nicHolding.js';
import type { EndReport } from '../model/pmtuReport.js';
import type { DiffChange, DiffValue, EnvironmentChange, EnvironmentKind } from '../model/runDiff.js';
import type { RunReport } from '../model/runReport.js';
import { pairEnds } from '../model/pair.js';

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
    const key = endpointKey({ agent, address: end.address });
    if (!index.nics.has(key) && end.nic) index.nics.set(key, end.nic);
  };
  for (const result of report.pairs) {
    const { pair } = result;
    for (const end of [pair.a, pair.b]) {
      const key = endpointKey(end);
      addPair(index, end.agent, pair.id);
      addPair(index, key, pair.id);
      const nic = nicHolding(facts(end.agent), end.address);
      if (nic) index.nics.set(key, nic);
    }
    fromEnd(pair.a.agent, result.pmtu?.from);
    fromEnd(pair.b.agent, result.pmtu?.to);
    for (const cell of result.cells) {
      const r = cell.record;
      if (!('result' in r)) continue;
      const { sender, receiver } = pairEnds(pair, r.direction);
      addIperf(index, sender.agent, r.result.iperfVersion);
      addIperf(index, receiver.agent, r.receiverIperfVersion);
    }
  }
  return index;
}

const versions = (set: Set<string> | undefined): string | null => (set && set.size ? [...set].sort().join(', ') : null);

/** Every change of a host (agent, kernel, iperf3) or of the NIC holding a tested address. Pure. */
export function environmentChanges(base: RunReport, next: RunReport): EnvironmentChange[] {
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

/** The environment changes touching a pair, as changes of one of its directions. */
export function attachEnvironment(pairId: string, direction: Direction, env: readonly EnvironmentChange[]): DiffChange[] {
  return env.filter((e) => e.pairs.includes(pairId)).map((e) => ({
    pairId, direction, kind: e.kind, category: 'environment' as const,
    subject: e.address === null ? e.host : `${e.host} ${e.nic ?? 'NIC'} (${e.address})`,
    before: e.before, after: e.after, significant: true, regression: false,
    explanation: `${e.explanation}; may explain the change(s) in this direction`,
  }));
}
