import type { Lab } from '../lab/lab.js';
import { parseNftCounterPackets } from './toolOutputParsers.js';

const TABLE = 'ppbench';
/** Every IPv4/IPv6 packet h1 puts on its data NIC toward h2's data address. */
const ALL_COUNTER = 'toPeer';
/** The same, only packets above SMALL_PACKET_BYTES: size probes, not traceroute probes or acks. */
const BIG_COUNTER = 'toPeerBig';
const SMALL_PACKET_BYTES = 100;
const IPV6_HEADER_BYTES = 40;

export interface WireCount {
  /** All packets h1 sent to h2's data address. */
  packets: number;
  /** Those larger than 100 bytes (IP length). */
  bigPackets: number;
}

/**
 * Counts, independently of what each tool says, the packets the sender puts on its NIC toward the
 * peer. Counted: every IP packet of that family leaving h1's data NIC with h2's data address as
 * destination, whatever the protocol, during one tool run. So the count includes scamper's small
 * TTL-limited traceroute probes, and for pathprobe the 56-byte (IPv6 76-byte) acks h1's responder
 * returns to h2 for the reverse sweep, which runs at the same time. The `bigPackets` counter (IP
 * length > 100 bytes) leaves those out and is printed in the per-run lines.
 *
 * The hook is netdev egress on the NIC, not inet output: scamper sends IPv4 through a datalink
 * socket, which never passes the IP output hook (checked: an output-hook counter saw only its 44-byte
 * probes, not the 9000/4000-byte PMTUD probes). Named counters because nft 1.0.6 `reset counters`
 * resets named counters only, not anonymous rule counters.
 */
export class WireCounter {
  private constructor(
    private readonly lab: Lab,
    private readonly node: string,
  ) {}

  static async install(lab: Lab, node: string, peer: { v4: string; v6: string }): Promise<WireCounter> {
    const host = lab.hosts[node];
    if (!host) throw new Error(`wire counter: no host ${node} in lab ${lab.id}`);
    const ruleset = [
      `table netdev ${TABLE} {`,
      `  counter ${ALL_COUNTER} { }`,
      `  counter ${BIG_COUNTER} { }`,
      '  chain egr {',
      `    type filter hook egress device "${host.dataNic}" priority 0; policy accept;`,
      `    ip daddr ${peer.v4} counter name "${ALL_COUNTER}"`,
      `    ip daddr ${peer.v4} ip length > ${SMALL_PACKET_BYTES} counter name "${BIG_COUNTER}"`,
      `    ip6 daddr ${peer.v6} counter name "${ALL_COUNTER}"`,
      // ip6 length is the payload length, so the same whole-packet threshold is 40 bytes lower.
      `    ip6 daddr ${peer.v6} ip6 length > ${SMALL_PACKET_BYTES - IPV6_HEADER_BYTES} counter name "${BIG_COUNTER}"`,
      '  }',
      '}',
      '',
    ].join('\n');
    const result = await lab.exec(node, ['nft', '-f', '-'], { input: ruleset, timeoutMs: 10_000 });
    if (result.exitCode !== 0) throw new Error(`wire counter: nft -f failed in ${node}: ${result.stderr.trim()}`);
    return new WireCounter(lab, node);
  }

  /** Zeroes both counters and returns what they held. */
  async readAndReset(): Promise<WireCount> {
    const result = await this.lab.exec(this.node, ['nft', '-j', 'reset', 'counters', 'table', 'netdev', TABLE], { timeoutMs: 10_000 });
    if (result.exitCode !== 0) throw new Error(`wire counter: nft reset failed in ${this.node}: ${result.stderr.trim()}`);
    const packets = parseNftCounterPackets(result.stdout, ALL_COUNTER);
    const bigPackets = parseNftCounterPackets(result.stdout, BIG_COUNTER);
    if (packets === null || bigPackets === null) throw new Error(`wire counter: unexpected nft output in ${this.node}`);
    return { packets, bigPackets };
  }
}
