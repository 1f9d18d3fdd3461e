import type { VxlanFacts } from '../../proto/agentFacts.js';
import type { IpLink, IpLinkVxlan } from './parseIpLink.js';

/*
 * Outer IP header + UDP 8 + VXLAN 8 + the inner Ethernet header 14 (the overlay's frame travels
 * whole). The kernel sizes a vxlan on a `dev` by the same sums (VXLAN_HEADROOM / VXLAN6_HEADROOM),
 * and tools/testing/selftests/net/pmtu.sh expects exactly ll_mtu − 20 − 8 − 8 − 14 (IPv4 outer)
 * and ll_mtu − 40 − 8 − 8 − 14 (IPv6 outer).
 */
const VXLAN_FIXED_BYTES = 8 + 8 + 14;
const OUTER_IP_HEADER_BYTES = { 4: 20, 6: 40 } as const;

/** Bytes a VXLAN overlay packet grows by over an IPv4 (50) or IPv6 (70) underlay. */
export function vxlanOverheadBytes(family: 4 | 6): number {
  return OUTER_IP_HEADER_BYTES[family] + VXLAN_FIXED_BYTES;
}

/** Where the link sends to: its remote VTEP, else its multicast group; what `ip route get` is asked. */
export function vxlanPeerAddress(vxlan: IpLinkVxlan): string | null {
  return vxlan.remote ?? vxlan.remote6 ?? vxlan.group ?? vxlan.group6 ?? null;
}

function underlayFamilyOf(vxlan: IpLinkVxlan): 4 | 6 | null {
  if (vxlan.remote6 ?? vxlan.group6 ?? vxlan.local6) return 6;
  if (vxlan.remote ?? vxlan.group ?? vxlan.local) return 4;
  return null;
}

/**
 * The VXLAN facts of one link. The underlay device is the link's `dev`; without one, the kernel
 * sends by the route to the peer, which the caller looked up (`routeDevice`). Pure.
 */
export function vxlanFactsOf(vxlan: IpLinkVxlan, links: readonly IpLink[], routeDevice: string | null): VxlanFacts {
  const underlayDevice = vxlan.device ?? routeDevice;
  const family = underlayFamilyOf(vxlan);
  return {
    vni: vxlan.vni,
    remoteAddress: vxlanPeerAddress(vxlan),
    underlayDevice,
    underlayMtuBytes: links.find((l) => l.name === underlayDevice)?.mtuBytes ?? null,
    underlayFamily: family,
    overheadBytes: family === null ? null : vxlanOverheadBytes(family),
  };
}
