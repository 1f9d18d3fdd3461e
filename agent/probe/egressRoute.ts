import { readFile } from 'node:fs/promises';
import { exec } from '../exec.js';

export interface EgressRoute {
  device: string;
  deviceMtuBytes: number;
  sourceAddress: string | null;
  /** A route `mtu` (locked or cached from an earlier frag-needed): reported apart from the path value. */
  routeMtuBytes: number | null;
  /** The neighbour the probes are handed to: the gateway, or the target itself when on-link. */
  nextHop: string;
}

/**
 * Which NIC the kernel would send to `target` from, and its MTU: in PROBE mode the device MTU is
 * the largest size that can leave, so it bounds the search.
 */
export async function egressRoute(target: string, sourceAddress?: string): Promise<EgressRoute> {
  const args = ['-j', 'route', 'get', target];
  if (sourceAddress) args.push('from', sourceAddress);
  const result = await exec('ip', args, { timeoutMs: 3000 });
  if (result.exitCode !== 0) {
    throw new Error(`no route to ${target}${sourceAddress ? ` from ${sourceAddress}` : ''}: ${result.stderr.trim() || 'ip route get failed'}`);
  }
  const routes = JSON.parse(result.stdout) as Array<{ dev?: string; prefsrc?: string; gateway?: string; metrics?: Array<{ mtu?: number }> }>;
  const route = routes[0];
  if (!route?.dev) throw new Error(`no route to ${target}`);
  const mtuText = await readFile(`/sys/class/net/${route.dev}/mtu`, 'utf8');
  const routeMtu = route.metrics?.find((m) => m.mtu !== undefined)?.mtu ?? null;
  return {
    device: route.dev,
    deviceMtuBytes: Number(mtuText.trim()),
    sourceAddress: route.prefsrc ?? sourceAddress ?? null,
    routeMtuBytes: routeMtu,
    nextHop: route.gateway ?? target,
  };
}
