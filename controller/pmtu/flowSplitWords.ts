import type { FlowSplit } from '../model/flowSplit.js';

const orList = (addresses: readonly string[]): string =>
  addresses.length === 1 ? (addresses[0] as string) : `one of ${addresses.join(', ')}`;

/** The split in words, for the explanation: "every failing flow crosses 198.18.5.251 at hop 2; no passing flow does". */
export function flowSplitWords(split: FlowSplit | null): string {
  if (split === null) return '';
  if (split.kind === 'routed') {
    const where = split.hops.map((h) => `${orList(h.addresses)} at hop ${h.hop}`).join(' and ');
    return `every failing flow crosses ${where}; no passing flow does`;
  }
  if (split.kind === 'below-l3') {
    return split.routers.length === 0
      ? 'failing and passing flows cross no router: they part inside the L2 fabric between the hosts'
      : `failing and passing flows cross the same routers (${split.routers.join(', ')}): they part below L3, inside a link`;
  }
  return `where the flows part is not known: ${split.reason}`;
}

/**
 * The device to look at, for the fix text: the first router only failing flows cross, or, below
 * L3, the members of the LAGs (or L2 ECMP) on the way, which no traceroute can see.
 */
export function flowSplitAdvice(split: FlowSplit | null, goodMtuBytes: number): string | null {
  if (split === null || split.kind === 'unknown') return null;
  if (split.kind === 'routed') {
    const [first, second] = split.hops;
    if (first === undefined) return null;
    const next = second === undefined ? ' and the link after it' : ` and its link toward ${orList(second.addresses)} (hop ${second.hop})`;
    return `look at ${orList(first.addresses)} (hop ${first.hop}, the first router that only failing flows cross)${next}: an interface or switch there carries less than ${goodMtuBytes}; raise it to ${goodMtuBytes} like its peers, or take it out of the ECMP group until it is fixed`;
  }
  const where = split.routers.length === 0 ? 'between the two hosts' : `on the links of this path (via ${split.routers.join(', ')})`;
  return `no router tells the paths apart, so one member of a LAG / port-channel (or of an L2 ECMP or MLAG pair) ${where} carries less than ${goodMtuBytes}: check the MTU of every member port of each LAG and of both switches of each pair, e.g. \`show interfaces port-channel\` / \`ip -d link show\` on each member`;
}
