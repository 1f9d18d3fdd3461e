/**
 * A declarative network-namespace topology. Every node becomes one namespace; every link one veth
 * pair created directly inside the two namespaces (nothing ever appears in the root namespace).
 *
 * Sizes are whole IP packets in bytes (DEVELOPERS.md, "Words"), the number `ip link set mtu` compares.
 */

/** Node names become parts of namespace and interface names (15-char kernel limit): ≤ 6 chars. */
export const NODE_NAME_PATTERN = /^[a-z][a-z0-9]{0,5}$/;
/** Reserved for the management network, which every lab gets. */
export const RESERVED_NODE_NAMES = ['ctl', 'mgsw'] as const;

export interface HostSpec {
  name: string;
  /**
   * MTU of every data NIC (`eth0`, `eth1`, …), and of both ends of its veth, unless the NIC's link
   * sets its own mtuBytes.
   */
  nicMtuBytes: number;
  /**
   * Drop ingress packets above the NIC's MTU (nft netdev ingress, every data NIC), as a real NIC
   * does. Without it a veth accepts MTU + 4 (room for a VLAN tag), so a 1500 host would take 1504.
   */
  strictRx?: boolean;
  /** Route `mtu lock`: the host sends at most this, though its NIC accepts more. */
  sendMtuLockBytes?: number;
  /** tbf shaping on every data NIC's egress (what this host sends). */
  rateMbit?: number;
}

export interface SwitchSpec {
  name: string;
  /** Random loss on the bridge's forward hook; hits both directions (2 % each way ≈ 4 % per round trip). */
  lossPercent?: number;
}

export interface RouterSpec {
  name: string;
  /** false = the router's own frag-needed / packet-too-big are dropped: the L3 black hole. */
  icmp: boolean;
  /**
   * Silently drop every forwarded packet above this (exact, nft on ip length, v4 and v6, any
   * interface), telling nobody: a spine whose fabric ports carry less than its links claim.
   * Unlike a lower link MTU, the neighbours keep their own MTU, so only this router is to blame.
   */
  forwardCapBytes?: number;
  /**
   * What this router's IPv6 ECMP hash covers: 'ports' (default: addresses, protocol, ports) or
   * 'flow-label' (addresses and flow label, no ports), as switches that hash IPv6 on RFC 6438
   * flow labels do. Then only flows with distinct labels spread over the paths.
   */
  ipv6Hash?: 'ports' | 'flow-label';
  /** Random loss of forwarded packets, both directions (nft numgen on the forward hook). */
  lossPercent?: number;
}

/**
 * Direction of a switch-port cap, seen from the node attached to that port:
 * `toHost` = frames the switch sends out of the port (its egress), `fromHost` = frames it receives.
 */
export type CapDirection = 'both' | 'toHost' | 'fromHost';

export interface PortCap {
  /** Largest IP packet that passes; exact (nft on ip length), never MTU + 4. */
  capBytes: number;
  direction: CapDirection;
}

export interface LinkSpec {
  /**
   * The two node names. A host has one or more links: its data NICs `eth0`, `eth1`, … in link
   * order, each on a segment of its own (a host never joins one segment twice). Two routers may be joined by
   * several parallel links (each its own segment); their interfaces are then `to-X-1`, `to-X-2`, …
   * in link order instead of `to-X`, and a router with several equal-cost next hops gets an ECMP
   * multipath route with L4 (5-tuple) hashing.
   */
  ends: [string, string];
  /**
   * MTU of both veth ends (never different ends: that gives ENOBUFS instead of a silent drop).
   * Default: the host's nicMtuBytes when one end is a host, else the topology's largest MTU.
   * A host's link may differ from its nicMtuBytes: that one NIC then has this MTU.
   * On a router end this is that interface's egress MTU, so the router sends frag-needed / PTB.
   */
  mtuBytes?: number;
  /**
   * Silent cap at the switch port of this link. With one switch end, at that switch's port. On a
   * switch–switch link (two switches of one L2 segment, e.g. an inter-switch uplink), `capAt`
   * must name the switch whose port applies it; `direction` is then seen from the other switch.
   */
  cap?: PortCap;
  /**
   * Which switch end of the link applies `cap`. Required when both ends are switches; optional
   * otherwise (it must then name the link's only switch end).
   */
  capAt?: string;
  /**
   * tbf shaping, so each direction of the link is limited to this rate. With a switch end: at the
   * switch port's egress, toward the attached node (the other direction is shaped by that node's own
   * link or host rateMbit). Between two L3 nodes (router–router, router–host): at the egress of both
   * veth ends, so each direction is limited.
   */
  rateMbit?: number;
}

/**
 * A VXLAN overlay between two hosts, over their data NICs (the underlay): each host gets `vx0`
 * with the other host's data address as its remote, and addresses on a segment of its own.
 */
export interface VxlanOverlaySpec {
  /** Exactly two hosts: each VTEP's remote is the other (no flood list, no FDB entries). */
  hosts: [string, string];
  vni: number;
  /** MTU of both `vx0` interfaces. */
  mtuBytes: number;
  /** IP version of the outer header: which of the data NICs' addresses the VTEPs use. */
  underlayFamily: 4 | 6;
}

export interface Topology {
  /** For logs and the CLI. */
  name: string;
  hosts: HostSpec[];
  switches: SwitchSpec[];
  routers: RouterSpec[];
  links: LinkSpec[];
  /**
   * Turn TSO/GSO/GRO off on host and router interfaces (default true). With them on, TCP
   * super-packets cross veths whole, so MTUs barely matter and a capped port sees 64 KB "packets".
   */
  offloadsOff?: boolean;
  overlay?: VxlanOverlaySpec;
  /**
   * Run lldpd (LLDP only, 1 s advertisements) in every host and switch namespace (`true`), or only in
   * the nodes named; off by default. Switches advertise their name as system name and each port as
   * its interface name (`to-h1`); see labLldpd.ts and Lab.lldpSocketOf.
   */
  lldp?: boolean | LldpSpec;
}

export interface LldpSpec {
  /** Hosts and switches that run lldpd; the others stay silent (their neighbours see nobody). */
  nodes: string[];
}

export type NodeKind = 'host' | 'switch' | 'router' | 'controller' | 'mgmtSwitch';
