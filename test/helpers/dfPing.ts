import type { Lab } from '../../scripts/lab/lab.js';

/** Any of these in ping's output means something answered or refused: the failure was not silent. */
export const ICMP_HINT = /Frag needed|Packet too big|local error|message too long|No buffer space/i;

export interface PingOutcome {
  passed: boolean;
  output: string;
}

/** iputils ping with DF set; sizeBytes is the whole IP packet (payload + 28 for v4, + 48 for v6). */
export async function ping(lab: Lab, from: string, address: string, sizeBytes: number, count = 2): Promise<PingOutcome> {
  const v6 = address.includes(':');
  const payloadBytes = sizeBytes - (v6 ? 48 : 28);
  const result = await lab.exec(
    from,
    ['ping', v6 ? '-6' : '-4', '-M', 'do', '-s', String(payloadBytes), '-c', String(count), '-i', '0.2', '-W', '1', address],
    { timeoutMs: 10_000 },
  );
  return { passed: result.exitCode === 0, output: `${result.stdout}\n${result.stderr}` };
}
