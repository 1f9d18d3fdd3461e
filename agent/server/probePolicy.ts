import { BlockList, isIP } from 'node:net';
import type { NicFacts } from '../../proto/agentFacts.js';
import { addressOfCidr } from '../../proto/ipAddress.js';

export interface ProbePolicy {
  /** The CIDRs echo probes may go to, as given or derived. */
  readonly allowCidrs: readonly string[];
  allowsEchoTarget(address: string): boolean;
  /** Responders bind only to this host's own addresses. */
  ownsAddress(address: string): boolean;
}

/** Parses "198.18.0.0/15" or "2001:2::/48"; throws a one-line error otherwise. */
export function parseCidr(cidr: string): { network: string; prefix: number; family: 4 | 6 } {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  const family = match ? isIP(match[1]!) : 0;
  const prefix = match ? Number(match[2]) : NaN;
  if (!match || family === 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new Error(`--allow ${JSON.stringify(cidr)} is not a CIDR such as 198.18.0.0/15 or 2001:2::/48`);
  }
  return { network: match[1]!, prefix, family: family as 4 | 6 };
}

/**
 * Where this agent may send packets. Echo targets must lie inside `allowCidrs` (default: the
 * subnets of its own NICs) so that an agent can never be used as a packet cannon; peer targets
 * are accepted only once their responder proves it holds the sweep's key.
 */
export function createProbePolicy(nics: readonly NicFacts[], allowCidrs: readonly string[]): ProbePolicy {
  const effective = allowCidrs.length > 0 ? [...allowCidrs] : nics.flatMap((nic) => nic.addresses);
  const allowed = new BlockList();
  for (const cidr of effective) {
    const { network, prefix, family } = parseCidr(cidr);
    allowed.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  const own = new Set(nics.flatMap((nic) => nic.addresses.map(addressOfCidr)));
  return {
    allowCidrs: effective,
    allowsEchoTarget(address) {
      const family = isIP(address);
      return family !== 0 && allowed.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
    ownsAddress(address) {
      return own.has(address) || address === '127.0.0.1' || address === '::1';
    },
  };
}
