/**
 * IP packet sizes (bytes) where real path MTUs cluster (docs/pmtud.md, "Seeds").
 * Probing them first ends the search in one round when the cap sits on one of them, and narrows
 * the bracket to the gap between two neighbours otherwise.
 * - 1280: IPv6 minimum, also a common tunnel setting for IPv4.
 * - 1400–1500: WireGuard 1420, VXLAN-in-1500 1450, GRE 1476, IPIP/6in4 1480, PPPoE 1492, Ethernet 1500.
 * - 2002, 4352, 8166, 17914, 32000: RFC 1191 plateaus. 4470: FDDI/POS/many WAN links.
 * - 8950–9216: jumbo frames; vendors quote "9000" or "9216" counting the Ethernet header, FCS and
 *   802.1Q tags in different ways, so the IP size may be 14, 18 or 22 bytes less.
 * - 65535: loopback-sized interfaces.
 */
export const COMMON_PMTU_SIZES_BYTES: readonly number[] = [
  1280, 1400, 1420, 1450, 1460, 1476, 1480, 1492, 1500, 2002, 4352, 4470, 8166, 8950, 8982, 8986,
  9000, 9001, 9194, 9198, 9202, 9216, 17914, 32000, 65535,
];

/**
 * Seed sizes for a search whose lower bound is `aboveBytes`: the common sizes in
 * (aboveBytes, maxBytes] plus maxBytes itself (the clean-path answer), largest first.
 */
export function pmtuSeeds(aboveBytes: number, maxBytes: number): number[] {
  const seeds = new Set<number>();
  if (maxBytes > aboveBytes) seeds.add(maxBytes);
  for (const sizeBytes of COMMON_PMTU_SIZES_BYTES) {
    if (sizeBytes > aboveBytes && sizeBytes <= maxBytes) seeds.add(sizeBytes);
  }
  return [...seeds].sort((a, b) => b - a);
}
