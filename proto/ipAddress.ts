import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** A literal IPv4 or IPv6 address (no names: the data plane is addressed exactly). */
export const IpAddress = z.string().refine((s) => isIP(s) !== 0, { message: 'must be an IPv4 or IPv6 address' });

export function addressFamilyOf(address: string): 4 | 6 {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  return family as 4 | 6;
}

/** "198.18.1.1/24" → "198.18.1.1": NIC facts carry addresses with their prefix length. */
export function addressOfCidr(cidr: string): string {
  return cidr.split('/')[0]!;
}

/**
 * One spelling per address, so '2001:2:0::1', '2001:2::1', '2001:DB8::1' and a raw socket's source
 * string compare equal. The WHATWG URL parser serialises IPv6 in RFC 5952 form; a zone id is kept
 * as given, and anything that is not IPv6 is returned unchanged.
 */
export function canonicalAddress(address: string): string {
  const [bare, zone] = address.split('%', 2) as [string, string | undefined];
  if (isIP(bare) !== 6) return address;
  try {
    const host = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    return zone === undefined ? host : `${host}%${zone}`;
  } catch {
    return address;
  }
}

// Never a data-plane path: loopback stays inside the host, and a link-local address is ambiguous
// without its zone, which no other host can name. BlockList also matches IPv4-mapped IPv6 forms.
const NEVER_TESTED = new BlockList();
NEVER_TESTED.addSubnet('127.0.0.0', 8, 'ipv4');
NEVER_TESTED.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER_TESTED.addAddress('::1', 'ipv6');
NEVER_TESTED.addSubnet('fe80::', 10, 'ipv6');

/** True for loopback (127.0.0.0/8, ::1) and link-local (169.254.0.0/16, fe80::/10) addresses. */
export function isLoopbackOrLinkLocal(address: string): boolean {
  const bare = address.split('%', 1)[0]!;
  const family = isIP(bare);
  if (family === 0) return false;
  return NEVER_TESTED.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}
