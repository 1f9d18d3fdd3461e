import type { NicFacts } from '../../proto/agentFacts.js';
import { frameBytes } from '../model/frameBytes.js';

/**
 * Underlay MTUs operators actually configure: the Ethernet default and the usual jumbo values. A
 * path MTU of one of these minus the VXLAN overhead is strong evidence of that underlay limit,
 * though the sweep cannot see the underlay itself, so the words stay "consistent with".
 */
const COMMON_UNDERLAY_MTUS = [1500, 9000, 9216] as const;

export interface VxlanUnderlayWords {
  /** Appended to the verdict's explanation. */
  explanation: string;
  advice: string;
}

/**
 * Words for a direction whose sender is a VXLAN interface and whose path MTU is an underlay limit
 * minus the encapsulation overhead: either the underlay device's own MTU (a fact the agent
 * reported) or a common MTU (what the sweep suggests). Null when neither explains the path MTU.
 * `overlayMtuBytes` is the overlay NIC MTU both ends should keep. Pure.
 */
export function vxlanUnderlayAdvice(pathMtu: number, overlayMtuBytes: number, senderNic: NicFacts | null): VxlanUnderlayWords | null {
  const vxlan = senderNic?.vxlan;
  if (!senderNic || !vxlan || vxlan.overheadBytes === null) return null;
  const overhead = vxlan.overheadBytes;
  const underlayBytes = pathMtu + overhead;
  const needBytes = overlayMtuBytes + overhead;
  const nic = senderNic.name;
  const device = vxlan.underlayDevice;
  const family = vxlan.underlayFamily === null ? '' : ` over IPv${vxlan.underlayFamily}`;
  const shrink = `or set the overlay MTU of ${nic} to ${pathMtu} on both hosts`;
  if (device !== null && vxlan.underlayMtuBytes === underlayBytes) {
    return {
      explanation: `; ${pathMtu} is ${underlayBytes} − ${overhead}: the MTU of ${device}, the VXLAN underlay of ${nic}, less the ${overhead}-byte VXLAN overhead${family}`,
      advice: `the VXLAN underlay carries only ${underlayBytes}: ${device}'s MTU is ${underlayBytes} and ${nic} adds ${overhead} bytes to every packet; raise ${device}'s MTU (and every underlay hop's) to at least ${needBytes}, ${shrink}`,
    };
  }
  if (!(COMMON_UNDERLAY_MTUS as readonly number[]).includes(underlayBytes)) return null;
  const deviceText = device !== null && vxlan.underlayMtuBytes !== null ? `, though ${device} itself is at ${vxlan.underlayMtuBytes}` : '';
  return {
    explanation: `; ${pathMtu} is ${underlayBytes} − ${overhead}, the VXLAN overhead of ${nic}${family}: consistent with an underlay path of ${underlayBytes} bytes${deviceText}`,
    advice: `the VXLAN underlay carries only ${underlayBytes} (consistent with an underlay path of ${underlayBytes} bytes): raise every underlay switch port and router between the VTEPs to at least ${needBytes} (${frameBytes(needBytes)}-byte frames), ${shrink}`,
  };
}
