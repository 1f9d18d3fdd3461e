import { isIP } from 'node:net';
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
