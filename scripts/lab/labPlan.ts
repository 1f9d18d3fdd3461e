import { NODE_NAME_PATTERN, RESERVED_NODE_NAMES } from './topology.js';
import type { CapDirection, HostSpec, NodeKind, RouterSpec, SwitchSpec, Topology, VxlanOverlaySpec } from './topology.js';

/*
 * Address plan (all inside the benchmarking ranges; nothing else is ever configured):
 *
 * - An L2 segment is a set of switches joined by switch-switch links (one subnet across them), or a
 *   direct link between two L3 nodes (router-router, router-host). Segments are numbered from 1:
 *   switch segments in switch declaration order first, then direct links in link order.
 *   Segment s is 198.18.s.0/24 and 2001:2:0:s::/64.
 * - Host number n (1-based, declaration order) is .n / ::n on its segment, whatever the segment:
 *   h1 is always 198.18.x.1, h2 198.18.y.2. Router number k (0-based) is .(254-k) / ::(254-k) on
 *   every segment it joins (r1 = .254, r2 = .253).
 *   (The IPv6 interface id is the same decimal digits read as hex: ::254 is 0x254; unique all the same.)
 * - A host with several links (rails) has .n / ::n on each of its segments. Routes are planned
 *   toward first NICs only: a host's other NICs are reached on their own segment, never routed.
 * - Hosts and routers get /32 and /128 routes to every host not on their own segment, via the
 *   first router of a shortest path (in segment hops); nothing else (no default route, nothing
 *   toward the root). A router with several equal-cost first hops (parallel router–router links,
 *   or two routers onward) gets one multipath route over all of them, v4 and v6, hashed on L4
 *   (labUp sets 5-tuple hashing in routers). Hosts keep a single next hop: the first
 *   router found, as before.
 * - Management: 198.19.0.0/24 on its own bridge namespace `mgsw`; host n has mgmt0 = 198.19.0.n,
 *   the controller namespace `ctl` 198.19.0.254. IPv4 only, MTU 1500, no caps, no loss.
 * - A switch–switch link joins two switches into one segment (hosts behind either share its
 *   subnet). It may carry a silent cap applied by one of its two switches (`capAt`), at that
 *   switch's port toward the other: e.g. rack(), where tor2's uplink to tor1 caps at 1500.
 *
 * - A VXLAN overlay (topology.overlay, two hosts) is the last segment: each host's `vx0` gets .n /
 *   ::n there like any segment, and encapsulates with its data address as local, the other's as remote.
 *
 * Interface names: a host's data NICs are `eth0`, `eth1`, … in the order of its links (eth0, its
 * first link, is "the" data NIC: lab.hosts.hN.v4/v6 and every route are about it), its management
 * NIC `mgmt0`; on switches and
 * routers the interface toward node X is `to-X` (≤ 9 chars), or `to-X-1`, `to-X-2`, … (≤ 11 chars,
 * in link order) when two routers are joined by parallel links.
 */

export const MGMT_SUBNET_PREFIX = '198.19.0';
export const MGMT_MTU_BYTES = 1500;
export const CONTROLLER_NODE = 'ctl';
export const MGMT_SWITCH_NODE = 'mgsw';
export const CONTROLLER_MGMT_ADDRESS = `${MGMT_SUBNET_PREFIX}.254`;
export const HOST_DATA_NIC = 'eth0';
/** A host's k-th data NIC (0-based, in link order): `eth0`, `eth1`, … */
export function hostNicName(k: number): string {
  return `eth${k}`;
}
export const HOST_MGMT_NIC = 'mgmt0';
export const BRIDGE_NAME = 'br0';
export const OVERLAY_NIC = 'vx0';
/** The IANA VXLAN port (RFC 7348); Linux defaults to 8472 unless told. */
export const VXLAN_UDP_PORT = 4789;
const MAX_VNI = 2 ** 24 - 1;

const MIN_LINK_MTU_BYTES = 1280; // below this IPv6 removes its addresses for good (docs/namespace-lab.md, "Frame caps without lying")
const MAX_MTU_BYTES = 65535;
const MAX_HOSTS = 200;
const MAX_ROUTERS = 50;
const MAX_SEGMENTS = 250;

export interface PlannedInterface {
  node: string;
  ifName: string;
  /** Undefined on switch ports (L2 only). */
  v4?: string;
  v6?: string;
  segment?: number;
}

export interface PlannedLink {
  a: { node: string; ifName: string };
  b: { node: string; ifName: string };
  mtuBytes: number;
  /**
   * On the switch side of the link (on a switch–switch link, the switch named by capAt);
   * `direction` seen from the attached node (there, the other switch).
   */
  cap?: { switchNode: string; portIfName: string; capBytes: number; direction: CapDirection };
  rate?: { switchNode: string; portIfName: string; rateMbit: number };
  /**
   * Every interface of this link that gets tbf on its egress (from the link's rateMbit): the switch
   * port when the link has a switch end (same as `rate`), both ends on a link between two L3 nodes.
   */
  egressRates: Array<{ node: string; ifName: string; rateMbit: number }>;
  management: boolean;
}

export interface PlannedNextHop {
  via: string;
  dev: string;
}

export interface PlannedRoute {
  dest: string; // 198.18.x.y/32 or 2001:2:0:s::n/128
  /** The (first) next hop. */
  via: string;
  dev: string;
  /** Present only for an ECMP route (two or more equal-cost next hops, `via`/`dev` being the first). */
  nexthops?: PlannedNextHop[];
}

/** One data NIC of a host: its addresses on its segment, its MTU, and the switch it hangs off. */
export type PlannedHostNic = PlannedInterface & { v4: string; v6: string; segment: number; mtuBytes: number; switchNode?: string };

export interface PlannedHost {
  spec: HostSpec;
  number: number;
  /** The first data NIC (`eth0`), the same as nics[0]. */
  dataNic: PlannedHostNic;
  /** Every data NIC, `eth0`, `eth1`, … in link order. */
  nics: PlannedHostNic[];
  mgmtAddress: string;
  /** The switch the host's first data NIC hangs off; undefined when it is linked to a router. */
  switchNode?: string;
}

/** One end of the VXLAN overlay: its `vx0` and the underlay addresses it encapsulates with. */
export interface PlannedVtep {
  node: string;
  ifName: string;
  v4: string;
  v6: string;
  segment: number;
  underlayDev: string;
  localAddress: string;
  remoteAddress: string;
  vni: number;
  mtuBytes: number;
}

export interface LabPlan {
  topology: Topology;
  kinds: Map<string, NodeKind>;
  hosts: PlannedHost[];
  switches: SwitchSpec[];
  routers: RouterSpec[];
  links: PlannedLink[];
  /** L3 interfaces (with addresses) per node, management included. */
  interfaces: Map<string, PlannedInterface[]>;
  routes: Map<string, PlannedRoute[]>;
  /** Largest MTU in the topology: bridges are set to it by hand. */
  maxMtuBytes: number;
  offloadsOff: boolean;
  /** The two VTEPs of the topology's overlay; empty without one. */
  vteps: PlannedVtep[];
  /** Hosts and switches that run lldpd (topology.lldp), in declaration order; empty without. */
  lldpNodes: string[];
}

function fail(topology: Topology, message: string): never {
  throw new Error(`topology "${topology.name}": ${message}`);
}

function checkRange(topology: Topology, what: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) fail(topology, `${what} = ${value}, must be ${min}..${max}`);
}

export function v4Address(segment: number, hostPart: number): string {
  return `198.18.${segment}.${hostPart}`;
}

export function v6Address(segment: number, hostPart: number): string {
  return `2001:2:0:${segment}::${hostPart}`;
}

/** The switch a host's first data NIC (`eth0`) is linked to, or undefined (unknown host, or linked to a router). */
export function switchOfHost(topology: Topology, host: string): string | undefined {
  const switches = new Set(topology.switches.map((s) => s.name));
  const first = topology.links.find((l) => l.ends.includes(host));
  const peer = first?.ends.find((e) => e !== host);
  return peer !== undefined && switches.has(peer) ? peer : undefined;
}

export function planLab(topology: Topology): LabPlan {
  const kinds = new Map<string, NodeKind>();
  const addNode = (name: string, kind: NodeKind): void => {
    if (!NODE_NAME_PATTERN.test(name)) fail(topology, `node name "${name}" must match ${NODE_NAME_PATTERN}`);
    if ((RESERVED_NODE_NAMES as readonly string[]).includes(name)) fail(topology, `node name "${name}" is reserved`);
    if (kinds.has(name)) fail(topology, `duplicate node name "${name}"`);
    kinds.set(name, kind);
  };
  topology.hosts.forEach((h) => addNode(h.name, 'host'));
  topology.switches.forEach((s) => addNode(s.name, 'switch'));
  topology.routers.forEach((r) => addNode(r.name, 'router'));
  if (topology.hosts.length > MAX_HOSTS) fail(topology, `at most ${MAX_HOSTS} hosts`);
  if (topology.routers.length > MAX_ROUTERS) fail(topology, `at most ${MAX_ROUTERS} routers`);

  for (const h of topology.hosts) {
    checkRange(topology, `${h.name}.nicMtuBytes`, h.nicMtuBytes, MIN_LINK_MTU_BYTES, MAX_MTU_BYTES);
    if (h.sendMtuLockBytes !== undefined) checkRange(topology, `${h.name}.sendMtuLockBytes`, h.sendMtuLockBytes, 68, MAX_MTU_BYTES);
    if (h.rateMbit !== undefined) checkRange(topology, `${h.name}.rateMbit`, h.rateMbit, 0.001, 1_000_000);
  }
  for (const s of topology.switches) {
    if (s.lossPercent !== undefined) checkRange(topology, `${s.name}.lossPercent`, s.lossPercent, 0, 100);
  }
  for (const r of topology.routers) {
    if (r.forwardCapBytes !== undefined) checkRange(topology, `${r.name}.forwardCapBytes`, r.forwardCapBytes, MIN_LINK_MTU_BYTES, MAX_MTU_BYTES);
    if (r.lossPercent !== undefined) checkRange(topology, `${r.name}.lossPercent`, r.lossPercent, 0, 100);
  }

  const hostSpec = new Map(topology.hosts.map((h) => [h.name, h]));
  const explicitMtus = topology.links.flatMap((l) => (l.mtuBytes === undefined ? [] : [l.mtuBytes]));
  const maxMtuBytes = Math.max(MGMT_MTU_BYTES, ...topology.hosts.map((h) => h.nicMtuBytes), ...explicitMtus);

  // Union-find over switches joined by switch-switch links: one segment per component.
  const parent = new Map<string, string>(topology.switches.map((s) => [s.name, s.name]));
  const root = (s: string): string => {
    let r = s;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    return r;
  };

  // Links per unordered node pair, in link order: parallel links (router–router only) get numbered names.
  const linksOfPair = new Map<string, number[]>();
  const pairKey = (x: string, y: string): string => [x, y].sort().join('|');
  const hostLinkCount = new Map<string, number>();
  for (const [i, link] of topology.links.entries()) {
    const [x, y] = link.ends;
    for (const end of link.ends) if (!kinds.has(end)) fail(topology, `link ${i} names unknown node "${end}"`);
    if (x === y) fail(topology, `link ${i} joins "${x}" to itself`);
    const pair = pairKey(x, y);
    const samePair = linksOfPair.get(pair) ?? [];
    if (samePair.length > 0 && !(kinds.get(x) === 'router' && kinds.get(y) === 'router'))
      fail(topology, `two links between "${x}" and "${y}" (parallel links only between two routers)`);
    samePair.push(i);
    linksOfPair.set(pair, samePair);
    for (const end of link.ends) if (kinds.get(end) === 'host') hostLinkCount.set(end, (hostLinkCount.get(end) ?? 0) + 1);
    if (kinds.get(x) === 'host' && kinds.get(y) === 'host') fail(topology, `link ${i}: hosts cannot be linked directly`);
    if (kinds.get(x) === 'switch' && kinds.get(y) === 'switch') parent.set(root(x), root(y));
    const switchEnds = link.ends.filter((e) => kinds.get(e) === 'switch').length;
    if (link.capAt !== undefined) {
      if (!link.cap) fail(topology, `link ${i}: capAt without cap`);
      if (!link.ends.includes(link.capAt) || kinds.get(link.capAt) !== 'switch')
        fail(topology, `link ${i}: capAt "${link.capAt}" must name a switch end of the link`);
    }
    if (link.cap && switchEnds === 0) fail(topology, `link ${i}: cap needs exactly one switch end (or capAt on a switch–switch link)`);
    if (link.cap && switchEnds === 2 && link.capAt === undefined)
      fail(topology, `link ${i}: cap on a switch–switch link needs capAt naming the switch that applies it`);
    if (link.rateMbit !== undefined && switchEnds > 1) fail(topology, `link ${i}: rateMbit on a switch–switch link`);
    if (link.rateMbit !== undefined && switchEnds === 0) {
      for (const end of link.ends) {
        if (hostSpec.get(end)?.rateMbit !== undefined)
          fail(topology, `link ${i}: rateMbit and host ${end}'s own rateMbit would both shape ${end}'s NIC`);
      }
    }
    if (link.mtuBytes !== undefined) checkRange(topology, `link ${i}.mtuBytes`, link.mtuBytes, MIN_LINK_MTU_BYTES, MAX_MTU_BYTES);
    if (link.cap) checkRange(topology, `link ${i}.cap.capBytes`, link.cap.capBytes, 68, MAX_MTU_BYTES);
    if (link.rateMbit !== undefined) checkRange(topology, `link ${i}.rateMbit`, link.rateMbit, 0.001, 1_000_000);
  }
  for (const h of topology.hosts) {
    if ((hostLinkCount.get(h.name) ?? 0) < 1) fail(topology, `host "${h.name}" needs at least one link (its data NIC)`);
  }
  // A host's NICs are numbered in the order of its links: eth0 on its first link, eth1 on the next.
  const hostNicOfLink = new Map<string, string>();
  const nicsSoFar = new Map<string, number>();
  for (const [i, link] of topology.links.entries()) {
    for (const end of link.ends) {
      if (kinds.get(end) !== 'host') continue;
      const k = nicsSoFar.get(end) ?? 0;
      hostNicOfLink.set(`${end}|${i}`, hostNicName(k));
      nicsSoFar.set(end, k + 1);
    }
  }

  // Segment numbers: switch components first, then direct L3-L3 links.
  const segmentOfKey = new Map<string, number>();
  const segmentFor = (key: string): number => {
    let s = segmentOfKey.get(key);
    if (s === undefined) {
      s = segmentOfKey.size + 1;
      if (s > MAX_SEGMENTS) fail(topology, `more than ${MAX_SEGMENTS} segments`);
      segmentOfKey.set(key, s);
    }
    return s;
  };
  for (const s of topology.switches) segmentFor(`sw:${root(s.name)}`);

  const hostNumber = new Map(topology.hosts.map((h, i) => [h.name, i + 1]));
  const routerNumber = new Map(topology.routers.map((r, i) => [r.name, i]));
  const l3Part = (node: string): number => {
    const n = hostNumber.get(node);
    return n !== undefined ? n : 254 - (routerNumber.get(node) ?? 0);
  };
  /** Interface of `node` toward `peer` on link `linkIndex`: `to-peer`, or `to-peer-k` among k parallel links. */
  const ifNameFor = (node: string, peer: string, linkIndex: number): string => {
    if (kinds.get(node) === 'host') return hostNicOfLink.get(`${node}|${linkIndex}`) ?? HOST_DATA_NIC;
    const parallel = linksOfPair.get(pairKey(node, peer)) ?? [];
    return parallel.length > 1 ? `to-${peer}-${parallel.indexOf(linkIndex) + 1}` : `to-${peer}`;
  };

  const interfaces = new Map<string, PlannedInterface[]>();
  const addInterface = (itf: PlannedInterface): void => {
    const list = interfaces.get(itf.node) ?? [];
    if (itf.segment !== undefined && list.some((o) => o.segment === itf.segment))
      fail(topology, `"${itf.node}" joins segment ${itf.segment} twice`);
    list.push(itf);
    interfaces.set(itf.node, list);
  };

  const links: PlannedLink[] = [];
  // Per host NIC (by ifName): its MTU and the switch it hangs off, filled in as links are planned.
  const nicFacts = new Map<string, { mtuBytes: number; switchNode?: string }>();
  for (const [i, link] of topology.links.entries()) {
    const [x, y] = link.ends;
    // On a switch–switch link the "switch end" is the one that applies the cap (capAt), else the first.
    const switchEnd = link.capAt ?? link.ends.find((e) => kinds.get(e) === 'switch');
    const otherEnd = switchEnd === x ? y : x;
    const hostEnd = link.ends.find((e) => kinds.get(e) === 'host');
    const mtuBytes = link.mtuBytes ?? (hostEnd !== undefined ? (hostSpec.get(hostEnd)?.nicMtuBytes ?? maxMtuBytes) : maxMtuBytes);
    const segment = switchEnd !== undefined ? segmentFor(`sw:${root(switchEnd)}`) : segmentFor(`link:${i}`);
    for (const [node, peer] of [[x, y], [y, x]] as const) {
      const kind = kinds.get(node);
      if (kind === 'switch') continue;
      const part = l3Part(node);
      addInterface({ node, ifName: ifNameFor(node, peer, i), v4: v4Address(segment, part), v6: v6Address(segment, part), segment });
    }
    if (hostEnd !== undefined) {
      const peer = hostEnd === x ? y : x;
      nicFacts.set(`${hostEnd}|${ifNameFor(hostEnd, peer, i)}`, { mtuBytes, ...(kinds.get(peer) === 'switch' ? { switchNode: peer } : {}) });
    }
    const portIfName = switchEnd !== undefined ? ifNameFor(switchEnd, otherEnd, i) : '';
    const a = { node: x, ifName: ifNameFor(x, y, i) };
    const b = { node: y, ifName: ifNameFor(y, x, i) };
    const rateMbit = link.rateMbit;
    const egressRates =
      rateMbit === undefined
        ? []
        : switchEnd !== undefined
          ? [{ node: switchEnd, ifName: portIfName, rateMbit }]
          : [a, b].map((end) => ({ ...end, rateMbit }));
    links.push({
      a,
      b,
      mtuBytes,
      ...(link.cap && switchEnd !== undefined
        ? { cap: { switchNode: switchEnd, portIfName, capBytes: link.cap.capBytes, direction: link.cap.direction } }
        : {}),
      ...(link.rateMbit !== undefined && switchEnd !== undefined
        ? { rate: { switchNode: switchEnd, portIfName, rateMbit: link.rateMbit } }
        : {}),
      egressRates,
      management: false,
    });
  }

  const hosts: PlannedHost[] = topology.hosts.map((spec) => {
    const number = hostNumber.get(spec.name) ?? 0;
    const nics = (interfaces.get(spec.name) ?? []).map((itf): PlannedHostNic => {
      const facts = nicFacts.get(`${spec.name}|${itf.ifName}`);
      if (itf.v4 === undefined || itf.v6 === undefined || itf.segment === undefined || !facts)
        fail(topology, `host "${spec.name}": data NIC ${itf.ifName} lacks addresses`);
      return { ...itf, v4: itf.v4, v6: itf.v6, segment: itf.segment, ...facts };
    });
    const dataNic = nics[0];
    if (!dataNic) fail(topology, `host "${spec.name}" has no data NIC`);
    const switchNode = dataNic.switchNode;
    return {
      spec,
      number,
      dataNic,
      nics,
      mgmtAddress: `${MGMT_SUBNET_PREFIX}.${number}`,
      ...(switchNode !== undefined ? { switchNode } : {}),
    };
  });

  const routes = planRoutes(topology, kinds, interfaces, hosts);
  const lldpNodes = planLldpNodes(topology, kinds);

  // After routing: the overlay is one more segment the two hosts share, never a path to anything else.
  const vteps = topology.overlay ? planVteps(topology, topology.overlay, hosts, segmentFor('overlay')) : [];
  for (const v of vteps) addInterface({ node: v.node, ifName: v.ifName, v4: v.v4, v6: v.v6, segment: v.segment });

  // Management network, added after routing so it can never become a data path.
  kinds.set(CONTROLLER_NODE, 'controller');
  kinds.set(MGMT_SWITCH_NODE, 'mgmtSwitch');
  for (const h of hosts) {
    addInterface({ node: h.spec.name, ifName: HOST_MGMT_NIC, v4: h.mgmtAddress });
    links.push({
      a: { node: h.spec.name, ifName: HOST_MGMT_NIC },
      b: { node: MGMT_SWITCH_NODE, ifName: `to-${h.spec.name}` },
      mtuBytes: MGMT_MTU_BYTES,
      egressRates: [],
      management: true,
    });
  }
  addInterface({ node: CONTROLLER_NODE, ifName: HOST_MGMT_NIC, v4: CONTROLLER_MGMT_ADDRESS });
  links.push({
    a: { node: CONTROLLER_NODE, ifName: HOST_MGMT_NIC },
    b: { node: MGMT_SWITCH_NODE, ifName: `to-${CONTROLLER_NODE}` },
    mtuBytes: MGMT_MTU_BYTES,
    egressRates: [],
    management: true,
  });

  return {
    topology,
    kinds,
    hosts,
    switches: topology.switches,
    routers: topology.routers,
    links,
    interfaces,
    routes,
    maxMtuBytes,
    offloadsOff: topology.offloadsOff ?? true,
    vteps,
    lldpNodes,
  };
}

function planLldpNodes(topology: Topology, kinds: Map<string, NodeKind>): string[] {
  const lldp = topology.lldp;
  if (lldp === undefined || lldp === false) return [];
  const eligible = [...kinds.entries()].filter(([, kind]) => kind === 'host' || kind === 'switch').map(([name]) => name);
  if (lldp === true) return eligible;
  for (const node of lldp.nodes) {
    // Routers are left out: the lab's LLDP is there to tell which switch port each host NIC faces.
    if (!eligible.includes(node)) fail(topology, `lldp.nodes names "${node}", which is no host or switch`);
  }
  return eligible.filter((n) => lldp.nodes.includes(n));
}

function planVteps(topology: Topology, overlay: VxlanOverlaySpec, hosts: PlannedHost[], segment: number): PlannedVtep[] {
  const [x, y] = overlay.hosts;
  if (x === y) fail(topology, `overlay joins "${x}" to itself`);
  checkRange(topology, 'overlay.vni', overlay.vni, 0, MAX_VNI);
  checkRange(topology, 'overlay.mtuBytes', overlay.mtuBytes, MIN_LINK_MTU_BYTES, MAX_MTU_BYTES);
  if (overlay.underlayFamily !== 4 && overlay.underlayFamily !== 6) fail(topology, `overlay.underlayFamily = ${String(overlay.underlayFamily)}, must be 4 or 6`);
  const hostOf = (name: string): PlannedHost => hosts.find((h) => h.spec.name === name) ?? fail(topology, `overlay names "${name}", which is no host`);
  const ends = [hostOf(x), hostOf(y)] as const;
  const underlay = (h: PlannedHost): string => (overlay.underlayFamily === 4 ? h.dataNic.v4 : h.dataNic.v6);
  return ends.map((h, i) => ({
    node: h.spec.name,
    ifName: OVERLAY_NIC,
    v4: v4Address(segment, h.number),
    v6: v6Address(segment, h.number),
    segment,
    underlayDev: h.dataNic.ifName,
    localAddress: underlay(h),
    remoteAddress: underlay(ends[1 - i]!),
    vni: overlay.vni,
    mtuBytes: overlay.mtuBytes,
  }));
}

/**
 * Breadth-first over segments, crossing only routers (hosts never forward). For each segment it
 * keeps every first hop of every shortest path (in discovery order, so the first one is what a
 * single-path plan picks): routers get them all as one multipath route, hosts only the first.
 */
function planRoutes(
  topology: Topology,
  kinds: Map<string, NodeKind>,
  interfaces: Map<string, PlannedInterface[]>,
  hosts: PlannedHost[],
): Map<string, PlannedRoute[]> {
  const onSegment = new Map<number, PlannedInterface[]>();
  for (const list of interfaces.values()) {
    for (const itf of list) {
      if (itf.segment === undefined) continue;
      onSegment.set(itf.segment, [...(onSegment.get(itf.segment) ?? []), itf]);
    }
  }
  interface FirstHop {
    via: PlannedInterface;
    dev: string;
  }
  const routes = new Map<string, PlannedRoute[]>();
  const l3Nodes = [...topology.hosts.map((h) => h.name), ...topology.routers.map((r) => r.name)];
  for (const source of l3Nodes) {
    const own = interfaces.get(source) ?? [];
    const multipath = kinds.get(source) === 'router';
    // segment -> hop distance and the first hops (router interface on one of our own segments, and
    // our outgoing device) of all shortest paths; own segments have distance 0 and no first hop.
    const reached = new Map<number, { distance: number; ownDev?: string; firstHops: FirstHop[] }>();
    const queue: number[] = [];
    for (const itf of own) {
      if (itf.segment === undefined) continue;
      reached.set(itf.segment, { distance: 0, ownDev: itf.ifName, firstHops: [] });
      queue.push(itf.segment);
    }
    while (queue.length > 0) {
      const segment = queue.shift() as number;
      const from = reached.get(segment);
      if (!from) continue;
      for (const gw of onSegment.get(segment) ?? []) {
        if (gw.node === source || kinds.get(gw.node) !== 'router') continue;
        // All shortest paths into `segment` are known by now: BFS finishes a level before the next.
        const hopsViaGw: FirstHop[] = from.ownDev !== undefined ? [{ via: gw, dev: from.ownDev }] : from.firstHops;
        for (const next of interfaces.get(gw.node) ?? []) {
          if (next.segment === undefined) continue;
          const known = reached.get(next.segment);
          if (!known) {
            reached.set(next.segment, { distance: from.distance + 1, firstHops: [...hopsViaGw] });
            queue.push(next.segment);
          } else if (known.distance === from.distance + 1) {
            for (const hop of hopsViaGw) {
              if (!known.firstHops.some((k) => k.via === hop.via && k.dev === hop.dev)) known.firstHops.push(hop);
            }
          }
        }
      }
    }
    const list: PlannedRoute[] = [];
    for (const h of hosts) {
      if (h.spec.name === source) continue;
      const path = reached.get(h.dataNic.segment);
      const hops = (path?.firstHops ?? []).filter((hop) => hop.via.v4 !== undefined && hop.via.v6 !== undefined);
      if (hops.length === 0) continue; // connected, or unreachable by design
      const used = multipath ? hops : hops.slice(0, 1);
      for (const family of ['v4', 'v6'] as const) {
        const nexthops = used.map((hop) => ({ via: hop.via[family] as string, dev: hop.dev }));
        const first = nexthops[0] as PlannedNextHop;
        list.push({
          dest: family === 'v4' ? `${h.dataNic.v4}/32` : `${h.dataNic.v6}/128`,
          via: first.via,
          dev: first.dev,
          ...(nexthops.length > 1 ? { nexthops } : {}),
        });
      }
    }
    routes.set(source, list);
  }
  return routes;
}
