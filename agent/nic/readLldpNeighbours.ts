import type { LldpNeighbour, LldpState } from '../../proto/agentFacts.js';
import { exec } from '../exec.js';
import { parseLldpctl } from './parseLldpctl.js';

/** lldpd's own default control socket. */
export const DEFAULT_LLDP_SOCKET = '/run/lldpd.socket';

export interface LldpReading {
  state: LldpState;
  /** Neighbours by interface name; null when lldpd could not be asked. */
  byInterface: Map<string, LldpNeighbour[]> | null;
}

/**
 * What lldpd heard on each NIC, through the agent's one process runner (`lldpctl -u SOCKET -f
 * json`). Never throws: no lldpctl, no lldpd on the socket, or output that is not lldpctl's are
 * facts about the host, said in `state.detail`.
 */
export async function readLldpNeighbours(socket: string): Promise<LldpReading> {
  const unavailable = (detail: string): LldpReading => ({ state: { available: false, socket, detail }, byInterface: null });
  let result;
  try {
    result = await exec('lldpctl', ['-u', socket, '-f', 'json'], { timeoutMs: 3000 });
  } catch {
    return unavailable('lldpctl is not installed (Debian: apt install lldpd), so no LLDP neighbours');
  }
  if (result.timedOut) return unavailable(`lldpctl did not answer within 3 s on ${socket}`);
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').pop()?.replace(/^\S+ \[\w+\/\w+\] /, '') ?? '';
    return unavailable(`no lldpd on ${socket}${why ? ` (${why})` : ''}: no LLDP neighbours known`);
  }
  try {
    const byInterface = parseLldpctl(result.stdout);
    const count = [...byInterface.values()].reduce((n, list) => n + list.length, 0);
    return { state: { available: true, socket, detail: `${count} LLDP neighbour${count === 1 ? '' : 's'} on ${byInterface.size} NIC${byInterface.size === 1 ? '' : 's'}` }, byInterface };
  } catch (error) {
    return unavailable(`lldpctl on ${socket} printed something that is not its JSON: ${(error as Error).message}`);
  }
}
