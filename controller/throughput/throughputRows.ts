import { ipHeaderBytes, TCP_HEADER_BYTES } from './throughputGoodput.js';
import type { IpFamily, ThroughputRow } from '../model/throughputMatrix.js';



export interface ThroughputRowsInput {
  family: IpFamily;
  senderNicMtuBytes: number;
  receiverNicMtuBytes: number;
  /** The proved path MTU of this direction; null when not measured. */
  pathMtuBytes: number | null;
}

const STANDARD_MTU_BYTES = 1500;

/** The MSS that makes a TCP segment fill an IP packet of `mtuBytes` (no options counted: `-M` semantics). */
export function mssForMtu(mtuBytes: number, family: IpFamily): number {
  return mtuBytes - ipHeaderBytes(family) - TCP_HEADER_BYTES;
}

/**
 * The frame-size rows to measure in one direction, in order 1500, jumbo, path:
 * - '1500' always, clamped with `-M` (1460 IPv4, 1440 IPv6): statistically the same as a real
 *   1500 MTU (docs/iperf3.md, "What the numbers mean"), so no NIC has to change;
 * - 'jumbo' when both NICs are above 1500: no `-M`, the kernel derives the MSS from the NIC MTU;
 * - 'path' when a path MTU above 1500 but below the smaller NIC MTU was proved: what the pair could
 *   carry once its NICs are set to that MTU.
 */
export function throughputRows(input: ThroughputRowsInput): ThroughputRow[] {
  const { family, pathMtuBytes } = input;
  const nicMtu = Math.min(input.senderNicMtuBytes, input.receiverNicMtuBytes);
  const rows: ThroughputRow[] = [
    { row: '1500', mssBytes: mssForMtu(STANDARD_MTU_BYTES, family), mtuBytes: STANDARD_MTU_BYTES, label: '1500' },
  ];
  if (nicMtu > STANDARD_MTU_BYTES) {
    rows.push({ row: 'jumbo', mssBytes: null, mtuBytes: nicMtu, label: `jumbo ${nicMtu}` });
  }
  if (pathMtuBytes !== null && pathMtuBytes > STANDARD_MTU_BYTES && pathMtuBytes < nicMtu) {
    rows.push({ row: 'path', mssBytes: mssForMtu(pathMtuBytes, family), mtuBytes: pathMtuBytes, label: `path ${pathMtuBytes}` });
  }
  return rows;
}
