import type { NicKind } from '../../proto/agentFacts.js';
import type { IpLink } from './parseIpLink.js';

const NAMED_KINDS: Readonly<Record<string, NicKind>> = { veth: 'veth', bridge: 'bridge', vxlan: 'vxlan' };

/**
 * The kind of one link. A real NIC has no rtnl kind; `parentbus` says it is backed by hardware,
 * and older kernels that do not print it still have the sysfs `device` link (`hasDeviceLink`).
 * Pure.
 */
export function nicKindOf(link: IpLink, hasDeviceLink: boolean): NicKind {
  if (link.linkType === 'loopback') return 'loopback';
  if (link.infoKind !== null) return NAMED_KINDS[link.infoKind] ?? 'other';
  return link.parentBus !== null || hasDeviceLink ? 'physical' : 'other';
}
