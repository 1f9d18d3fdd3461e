import { switchOfHost } from './labPlan.js';
import type { LinkSpec, Topology } from './topology.js';

/*
 * Ready-made topologies for the pmtu tests, the demo and benchmarks. Every one has hosts h1 and h2
 * (h1 = 198.18.x.1 / 2001:2:0:x::1, h2 = 198.18.y.2 / 2001:2:0:y::2, see labPlan.ts), switches
 * sw1 (and sw2), routers r1 (and r2). Node names are fixed so tests can say lab.exec('h1', ...).
 */

const JUMBO_BYTES = 9000;

/** h1 — sw1 — h2, everything at mtuBytes. Segment 1: h1 198.18.1.1, h2 198.18.1.2. */
export function cleanPath({ mtuBytes = JUMBO_BYTES }: { mtuBytes?: number } = {}): Topology {
  return {
    name: `cleanPath-${mtuBytes}`,
    hosts: [
      { name: 'h1', nicMtuBytes: mtuBytes },
      { name: 'h2', nicMtuBytes: mtuBytes },
    ],
    switches: [{ name: 'sw1' }],
    routers: [],
    links: [{ ends: ['sw1', 'h1'] }, { ends: ['sw1', 'h2'] }],
  };
}

/**
 * h1 — sw1 — h2 at 9000, sw1's port toward h2 silently drops anything above capBytes, both
 * directions: a jumbo-mismatched switch port that sends no ICMP (L2 black hole).
 */
export function silentCap({ capBytes = 4470, mtuBytes = JUMBO_BYTES }: { capBytes?: number; mtuBytes?: number } = {}): Topology {
  return {
    name: `silentCap-${capBytes}`,
    hosts: [
      { name: 'h1', nicMtuBytes: mtuBytes },
      { name: 'h2', nicMtuBytes: mtuBytes },
    ],
    switches: [{ name: 'sw1' }],
    routers: [],
    links: [{ ends: ['sw1', 'h1'] }, { ends: ['sw1', 'h2'], cap: { capBytes, direction: 'both' } }],
  };
}

/**
 * h1 — sw1 — r1 ═ r2 — sw2 — h2. Hosts, switches and LAN links at 9000; the r1–r2 link is
 * routerMtuBytes on both ends, so r1 reports it for h1→h2 and r2 for h2→h1 (each side has a
 * router with a smaller egress, and no veth ends differ). Segments: 1 = sw1 LAN (h1 .1, r1 .254),
 * 2 = sw2 LAN (h2 .2, r2 .253), 3 = r1–r2 link. Frag-needed/PTB for h1 come from 198.18.1.254 /
 * 2001:2:0:1::254.
 */
export function routerFragNeeded({ routerMtuBytes = 4000, icmp = true }: { routerMtuBytes?: number; icmp?: boolean } = {}): Topology {
  return {
    name: `router${icmp ? 'FragNeeded' : 'IcmpFiltered'}-${routerMtuBytes}`,
    hosts: [
      { name: 'h1', nicMtuBytes: JUMBO_BYTES },
      { name: 'h2', nicMtuBytes: JUMBO_BYTES },
    ],
    switches: [{ name: 'sw1' }, { name: 'sw2' }],
    routers: [
      { name: 'r1', icmp },
      { name: 'r2', icmp },
    ],
    links: [
      { ends: ['sw1', 'h1'] },
      { ends: ['sw1', 'r1'] },
      { ends: ['r1', 'r2'], mtuBytes: routerMtuBytes },
      { ends: ['r2', 'sw2'] },
      { ends: ['sw2', 'h2'] },
    ],
  };
}

/** routerFragNeeded with both routers' own frag-needed / packet-too-big dropped: the L3 black hole. */
export function routerIcmpFiltered({ routerMtuBytes = 4000 }: { routerMtuBytes?: number } = {}): Topology {
  return routerFragNeeded({ routerMtuBytes, icmp: false });
}

/**
 * h1 — sw1 — h2 at 9000 with one-way silent caps at the switch (the simple design): the port toward
 * h2 caps its egress (h1→h2) at forwardCapBytes, the port toward h1 caps its egress (h2→h1) at
 * reverseCapBytes. Note an echo test sees min(forward, reverse): replies are as large as requests.
 */
export function asymmetric({
  forwardCapBytes = 4000,
  reverseCapBytes = 2000,
}: { forwardCapBytes?: number; reverseCapBytes?: number } = {}): Topology {
  return {
    name: `asymmetric-${forwardCapBytes}-${reverseCapBytes}`,
    hosts: [
      { name: 'h1', nicMtuBytes: JUMBO_BYTES },
      { name: 'h2', nicMtuBytes: JUMBO_BYTES },
    ],
    switches: [{ name: 'sw1' }],
    routers: [],
    links: [
      { ends: ['sw1', 'h1'], cap: { capBytes: reverseCapBytes, direction: 'toHost' } },
      { ends: ['sw1', 'h2'], cap: { capBytes: forwardCapBytes, direction: 'toHost' } },
    ],
  };
}

/** silentCap plus random loss on sw1 (every forwarded frame, both directions, lossPercent each way). */
export function lossyCap({ capBytes = 4470, lossPercent = 2 }: { capBytes?: number; lossPercent?: number } = {}): Topology {
  const base = silentCap({ capBytes });
  return { ...base, name: `lossyCap-${capBytes}-${lossPercent}`, switches: [{ name: 'sw1', lossPercent }] };
}

/**
 * h1 and h2 on one 9000 switch; h2's NIC (and its switch port) at h2MtuBytes with strictRx, so
 * h1→h2 above h2MtuBytes vanishes silently at h2 (a real NIC drops it; a bare veth would take +4).
 */
export function nicMismatch({ h1MtuBytes = JUMBO_BYTES, h2MtuBytes = 1500 }: { h1MtuBytes?: number; h2MtuBytes?: number } = {}): Topology {
  return {
    name: `nicMismatch-${h1MtuBytes}-${h2MtuBytes}`,
    hosts: [
      { name: 'h1', nicMtuBytes: h1MtuBytes, strictRx: true },
      { name: 'h2', nicMtuBytes: h2MtuBytes, strictRx: true },
    ],
    switches: [{ name: 'sw1' }],
    routers: [],
    links: [{ ends: ['sw1', 'h1'] }, { ends: ['sw1', 'h2'] }],
  };
}

/** h1 — sw1 — h2 at mtuBytes, both switch ports shaped (tbf) to rateMbit, so each direction is limited. */
export function rateLimited({ rateMbit = 500, mtuBytes = JUMBO_BYTES }: { rateMbit?: number; mtuBytes?: number } = {}): Topology {
  return {
    name: `rateLimited-${rateMbit}`,
    hosts: [
      { name: 'h1', nicMtuBytes: mtuBytes },
      { name: 'h2', nicMtuBytes: mtuBytes },
    ],
    switches: [{ name: 'sw1' }],
    routers: [],
    links: [
      { ends: ['sw1', 'h1'], rateMbit },
      { ends: ['sw1', 'h2'], rateMbit },
    ],
  };
}

/**
 * Two equal paths with per-flow hashing: h1 — sw1 — r1 ⇉ r2 — sw2 — h2, r1 and r2 joined by two
 * parallel links, each shaped (tbf) to rateMbitPerPath at both ends' egress, so each direction of
 * each path is limited. r1 reaches h2 (and r2 reaches h1) by an ECMP multipath route over both
 * links with L4 5-tuple hashing (fib_multipath_hash_policy=3, fields 0x37, fixed seed: see labUp.ts), IPv4 and IPv6 alike: one
 * flow fills one path, several flows spread over both (up to 2 × rateMbitPerPath).
 * Everything at mtuBytes. Segments: 1 = sw1 LAN (h1 198.18.1.1, r1 .254), 2 = sw2 LAN (h2
 * 198.18.2.2, r2 .253), 3 = first r1–r2 link (r1 `to-r2-1` 198.18.3.254, r2 `to-r1-1` .253),
 * 4 = second (r1 `to-r2-2` 198.18.4.254, r2 `to-r1-2` .253); IPv6 2001:2:0:s::n likewise.
 */
export function twoPathEcmp({ rateMbitPerPath = 1000, mtuBytes = 1500 }: { rateMbitPerPath?: number; mtuBytes?: number } = {}): Topology {
  return {
    name: `twoPathEcmp-${rateMbitPerPath}`,
    hosts: [
      { name: 'h1', nicMtuBytes: mtuBytes },
      { name: 'h2', nicMtuBytes: mtuBytes },
    ],
    switches: [{ name: 'sw1' }, { name: 'sw2' }],
    routers: [
      { name: 'r1', icmp: true },
      { name: 'r2', icmp: true },
    ],
    links: [
      { ends: ['sw1', 'h1'] },
      { ends: ['sw1', 'r1'] },
      { ends: ['r1', 'r2'], rateMbit: rateMbitPerPath },
      { ends: ['r1', 'r2'], rateMbit: rateMbitPerPath },
      { ends: ['r2', 'sw2'] },
      { ends: ['sw2', 'h2'] },
    ],
  };
}

/**
 * A leaf-spine fabric: h1 — lf1 ⇉ sp1..spN ⇉ lf2 — h2, every link at mtuBytes. Each leaf reaches the
 * far host over all spines by one ECMP route with L4 hashing, so each flow crosses one spine. The
 * last spine is the faulty one: with `faultIcmp` false it silently drops every forwarded packet
 * above `faultCapBytes` (a spine whose fabric ports carry less than its links claim); with true
 * its links toward lf2 are at faultCapBytes instead, so it sends frag-needed / Packet Too Big for
 * h1 → h2 (the way back, lf2 itself says so). Segments: 1 = h1–lf1, 2 = lf2–h2, then each
 * leaf–spine link in order (lf1–sp1, sp1–lf2, lf1–sp2, …); lf1 is .254, lf2 .253, spK .(253 − K).
 */
export function leafSpine({ spines = 2, mtuBytes = JUMBO_BYTES, faultCapBytes = 1500, faultIcmp = false, ipv6Hash = 'ports', hostsPerLeaf = 1, lossPercent = 0 }: {
  spines?: 2 | 4; mtuBytes?: number; faultCapBytes?: number; faultIcmp?: boolean;
  /**
   * Hosts behind each leaf: h1 (and h3, …) on lf1, h2 (and h4, …) on lf2, each on its own link.
   * The extra hosts' links come after the spines', so the segments of the first two stay put.
   */
  hostsPerLeaf?: 1 | 2 | 3;
  /** Random loss on each leaf's forwarded packets (so ≈ 2 × per direction end to end, as both leaves drop). */
  lossPercent?: number;
  /** How the leaves hash IPv6 onto the spines (RouterSpec.ipv6Hash). */
  ipv6Hash?: 'ports' | 'flow-label';
} = {}): Topology {
  const spineNames = Array.from({ length: spines }, (_, i) => `sp${i + 1}`);
  const faulty = spineNames[spineNames.length - 1]!;
  return {
    name: `leafSpine-${spines}-${faultIcmp ? 'frag' : 'silent'}-${faultCapBytes}${ipv6Hash === 'flow-label' ? '-v6label' : ''}${hostsPerLeaf > 1 ? `-x${hostsPerLeaf}` : ''}${lossPercent > 0 ? `-loss${lossPercent}` : ''}`,
    hosts: Array.from({ length: 2 * hostsPerLeaf }, (_, i) => ({ name: `h${i + 1}`, nicMtuBytes: mtuBytes })),
    switches: [],
    routers: [
      { name: 'lf1', icmp: true, ipv6Hash, ...(lossPercent > 0 ? { lossPercent } : {}) },
      { name: 'lf2', icmp: true, ipv6Hash, ...(lossPercent > 0 ? { lossPercent } : {}) },
      ...spineNames.map((name) => ({ name, icmp: true, ...(name === faulty && !faultIcmp ? { forwardCapBytes: faultCapBytes } : {}) })),
    ],
    links: [
      { ends: ['h1', 'lf1'] },
      { ends: ['lf2', 'h2'] },
      ...spineNames.flatMap((name): LinkSpec[] => [
        { ends: ['lf1', name] },
        { ends: [name, 'lf2'], ...(name === faulty && faultIcmp ? { mtuBytes: faultCapBytes } : {}) },
      ]),
      ...Array.from({ length: 2 * (hostsPerLeaf - 1) }, (_, i): LinkSpec => (i % 2 === 0 ? { ends: [`h${i + 3}`, 'lf1'] } : { ends: ['lf2', `h${i + 3}`] })),
    ],
  };
}

/**
 * A routed fabric for fabric plans: `racks` ToR routers lf1..lfR, each with `hostsPerRack` hosts on
 * links of their own (rack r's hosts are h((r−1)·hostsPerRack+1) …), every ToR linked to every spine
 * sp1..spS, ECMP with L4 hashing over the spines. With `cappedUplink`, the link between that rack's
 * ToR and that spine carries only capBytes and both its routers stay silent about it (no
 * frag-needed / PTB): the flows of that rack hashed onto that spine black-hole above capBytes.
 * Host links come first (segments 1…N), then each ToR's uplinks in order.
 */
export function fabric({ racks = 4, hostsPerRack = 8, spines = 2, mtuBytes = JUMBO_BYTES, cappedUplink }: {
  racks?: number; hostsPerRack?: number; spines?: number; mtuBytes?: number;
  cappedUplink?: { rack: number; spine: number; capBytes: number };
} = {}): Topology {
  checkCount('racks', racks, 2, 8);
  checkCount('hostsPerRack', hostsPerRack, 1, 16);
  checkCount('spines', spines, 1, 4);
  const hosts = Array.from({ length: racks * hostsPerRack }, (_, i) => ({ name: `h${i + 1}`, nicMtuBytes: mtuBytes }));
  const leaf = (r: number) => `lf${r}`;
  const spine = (k: number) => `sp${k}`;
  const capped = (r: number, k: number) => cappedUplink?.rack === r && cappedUplink.spine === k;
  const silentOnCap = (name: string) => cappedUplink !== undefined && (name === leaf(cappedUplink.rack) || name === spine(cappedUplink.spine));
  return {
    name: `fabric-${racks}x${hostsPerRack}-${spines}${cappedUplink ? `-cap${cappedUplink.rack}.${cappedUplink.spine}.${cappedUplink.capBytes}` : ''}`,
    hosts,
    switches: [],
    routers: [
      ...Array.from({ length: racks }, (_, i) => ({ name: leaf(i + 1), icmp: !silentOnCap(leaf(i + 1)) })),
      ...Array.from({ length: spines }, (_, k) => ({ name: spine(k + 1), icmp: !silentOnCap(spine(k + 1)) })),
    ],
    links: [
      ...hosts.map((h, i): LinkSpec => ({ ends: [h.name, leaf(Math.floor(i / hostsPerRack) + 1)] })),
      ...Array.from({ length: racks }, (_, i) => i + 1).flatMap((r) => Array.from({ length: spines }, (_, k) => k + 1)
        .map((k): LinkSpec => ({ ends: [leaf(r), spine(k)], ...(capped(r, k) ? { mtuBytes: cappedUplink!.capBytes } : {}) }))),
    ],
  };
}

/**
 * A VXLAN overlay whose underlay switch silently caps: h1 — sw1 — h2 with both data NICs (the
 * underlay) at underlayMtuBytes, sw1's port toward h2 dropping anything above underlayCapBytes in
 * both directions (nft, exact, so on the outer packets), and `vx0` on h1 and h2 (VNI 42, remote =
 * the other host's data address of underlayFamily) at overlayMtuBytes. Segments: 1 = the underlay
 * (h1 198.18.1.1, h2 198.18.1.2), 2 = the overlay (h1 198.18.2.1, h2 198.18.2.2; IPv6
 * 2001:2:0:s::n likewise); lab.hosts.hN.overlay has the overlay addresses. The overlay's path
 * MTU is underlayCapBytes − 50 over IPv4, − 70 over IPv6 (docs/overlays.md).
 */
export function vxlanOverlay({
  overlayMtuBytes = 1500,
  underlayMtuBytes = JUMBO_BYTES,
  underlayCapBytes = 1500,
  underlayFamily = 4,
}: { overlayMtuBytes?: number; underlayMtuBytes?: number; underlayCapBytes?: number; underlayFamily?: 4 | 6 } = {}): Topology {
  return {
    name: `vxlanOverlay-v${underlayFamily}-${overlayMtuBytes}-${underlayMtuBytes}-${underlayCapBytes}`,
    hosts: [
      { name: 'h1', nicMtuBytes: underlayMtuBytes },
      { name: 'h2', nicMtuBytes: underlayMtuBytes },
    ],
    switches: [{ name: 'sw1' }],
    routers: [],
    links: [{ ends: ['sw1', 'h1'] }, { ends: ['sw1', 'h2'], cap: { capBytes: underlayCapBytes, direction: 'both' } }],
    overlay: { hosts: ['h1', 'h2'], vni: 42, mtuBytes: overlayMtuBytes, underlayFamily },
  };
}

/** Largest host count of rack(): names stay ≤ 6 chars either way, this keeps 198.19.0.n clear of ctl's .254. */
const MAX_RACK_HOSTS = 200;

function checkCount(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${what} = ${value}, must be an integer ${min}..${max}`);
}

/**
 * A rack on one L2 segment (198.18.1.0/24, 2001:2:0:1::/64): hosts h1..h{hosts} on switch tor1,
 * then secondSwitchHosts more (h{hosts+1}, …) on switch tor2, tor1 — tor2 joined by one
 * switch–switch link. All NICs, ports and the uplink at nicMtuBytes; tor2's port toward tor1
 * silently caps (nft, exact, both directions, v4 and v6) anything above secondSwitchCapBytes.
 * So every tor1 pair is clean at nicMtuBytes and every pair with a tor2 host (tor2–tor2 excepted:
 * their frames never cross the uplink) is a silent drop above secondSwitchCapBytes.
 * Host n is 198.18.1.n / 2001:2:0:1::n, mgmt 198.19.0.n. rackSwitchOf() tells a host's switch
 * (so does lab.hosts[name].switch).
 */
export function rack({
  hosts = 6,
  nicMtuBytes = JUMBO_BYTES,
  secondSwitchHosts = 1,
  secondSwitchCapBytes = 1500,
}: { hosts?: number; nicMtuBytes?: number; secondSwitchHosts?: number; secondSwitchCapBytes?: number } = {}): Topology {
  checkCount('rack hosts', hosts, 1, MAX_RACK_HOSTS);
  checkCount('rack secondSwitchHosts', secondSwitchHosts, 0, MAX_RACK_HOSTS - hosts);
  const total = hosts + secondSwitchHosts;
  const names = Array.from({ length: total }, (_, i) => `h${i + 1}`);
  const links: LinkSpec[] = [
    ...names.map((name, i): LinkSpec => ({ ends: [i < hosts ? 'tor1' : 'tor2', name] })),
    { ends: ['tor1', 'tor2'], cap: { capBytes: secondSwitchCapBytes, direction: 'both' }, capAt: 'tor2' },
  ];
  return {
    name: `rack-${hosts}+${secondSwitchHosts}-${nicMtuBytes}-${secondSwitchCapBytes}`,
    hosts: names.map((name) => ({ name, nicMtuBytes })),
    switches: [{ name: 'tor1' }, { name: 'tor2' }],
    routers: [],
    links,
  };
}

/** The switch (`tor1` / `tor2` in a rack) a host hangs off; throws for a host with no switch. */
export function rackSwitchOf(topology: Topology, host: string): string {
  const sw = switchOfHost(topology, host);
  if (sw === undefined) throw new Error(`topology "${topology.name}": host "${host}" hangs off no switch`);
  return sw;
}

/**
 * N hosts h1..hN on one switch sw1 at nicMtuBytes, no caps: for benchmarks of path-MTU runs over
 * 8, 16, 32 or 64 hosts. Host n is 198.18.1.n / 2001:2:0:1::n, mgmt 198.19.0.n.
 */
export function manyHosts({ hosts, nicMtuBytes = JUMBO_BYTES }: { hosts: 8 | 16 | 32 | 64; nicMtuBytes?: number }): Topology {
  checkCount('manyHosts hosts', hosts, 1, MAX_RACK_HOSTS);
  const names = Array.from({ length: hosts }, (_, i) => `h${i + 1}`);
  return {
    name: `manyHosts-${hosts}-${nicMtuBytes}`,
    hosts: names.map((name) => ({ name, nicMtuBytes })),
    switches: [{ name: 'sw1' }],
    routers: [],
    links: names.map((name): LinkSpec => ({ ends: ['sw1', name] })),
  };
}

/** The two rail switches of twoRails(): node names are ≤ 6 chars of [a-z0-9], so not `tor-a` / `tor-b`. */
export const RAIL_SWITCHES = ['tora', 'torb'] as const;

/**
 * Two rails: hosts h1..h{hosts}, each with eth0 on switch tora (segment 1: 198.18.1.n,
 * 2001:2:0:1::n) and eth1 on switch torb (segment 2: 198.18.2.n, 2001:2:0:2::n), every NIC and port
 * at nicMtuBytes. The rails are neither joined nor routed: each NIC reaches only its own rail.
 * With capHost, torb's port toward that host silently drops (nft, exact, both directions, v4 and
 * v6) anything above capBytes, while its tora port stays clean. lldpd runs in every host and switch
 * (`lldp`, default true), so each NIC sees its own switch as LLDP neighbour, port id `to-hN`.
 */
export function twoRails({
  hosts = 4,
  capHost,
  capBytes = 1500,
  nicMtuBytes = JUMBO_BYTES,
  lldp = true,
}: { hosts?: number; capHost?: string; capBytes?: number; nicMtuBytes?: number; lldp?: Topology['lldp'] } = {}): Topology {
  checkCount('twoRails hosts', hosts, 1, MAX_RACK_HOSTS);
  const names = Array.from({ length: hosts }, (_, i) => `h${i + 1}`);
  if (capHost !== undefined && !names.includes(capHost)) throw new Error(`twoRails capHost "${capHost}" is none of ${names.join(', ')}`);
  const [railA, railB] = RAIL_SWITCHES;
  return {
    name: `twoRails-${hosts}-${nicMtuBytes}${capHost !== undefined ? `-${capHost}cap${capBytes}` : ''}`,
    hosts: names.map((name) => ({ name, nicMtuBytes })),
    switches: [{ name: railA }, { name: railB }],
    routers: [],
    // Every host's tora link comes first, so its eth0 is on rail a and eth1 on rail b.
    links: [
      ...names.map((name): LinkSpec => ({ ends: [railA, name] })),
      ...names.map((name): LinkSpec => ({ ends: [railB, name], ...(name === capHost ? { cap: { capBytes, direction: 'both' } } : {}) })),
    ],
    lldp,
  };
}

/** By name, for the CLI and the demo. */
export const TOPOLOGIES = {
  cleanPath,
  silentCap,
  routerFragNeeded,
  routerIcmpFiltered,
  asymmetric,
  lossyCap,
  nicMismatch,
  rateLimited,
  twoPathEcmp,
  leafSpine,
  fabric,
  vxlanOverlay,
  rack,
  twoRails,
  manyHosts: (opts: { hosts?: 8 | 16 | 32 | 64; nicMtuBytes?: number } = {}) => manyHosts({ hosts: 8, ...opts }),
} as const;
export type TopologyName = keyof typeof TOPOLOGIES;
