/** Ethernet header (14) + FCS (4): what a switch port's "MTU" often counts on top of the IP size. */
export const ETHERNET_OVERHEAD_BYTES = 18;
export const VLAN_TAG_BYTES = 4;

/** The Ethernet frame an IP packet of `mtuBytes` needs on the wire, FCS included. */
export function frameBytes(mtuBytes: number, vlanTags = 0): number {
  return mtuBytes + ETHERNET_OVERHEAD_BYTES + VLAN_TAG_BYTES * vlanTags;
}

/** What Windows drivers call "Jumbo Packet": the frame without FCS. */
export function windowsJumboPacketBytes(mtuBytes: number): number {
  return mtuBytes + 14;
}
