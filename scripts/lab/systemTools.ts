import { existsSync } from 'node:fs';

/**
 * Absolute paths of the system tools the lab drives. Under `npm test`/`npx`, node_modules/.bin
 * comes first in PATH and holds an unrelated `nft` (@vercel/nft), so a bare "nft" would run the
 * wrong program; `ip netns exec` also resolves through PATH.
 */
function locate(name: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const path = `${dir}/${name}`;
    if (existsSync(path)) return path;
  }
  throw new Error(`lab: required tool "${name}" not found in /usr/sbin, /usr/bin, /sbin or /bin (run scripts/setup)`);
}

const cache = new Map<string, string>();

const KNOWN_TOOLS = ['ip', 'nft', 'tc', 'ethtool', 'sysctl', 'ping', 'tcpdump', 'iperf3', 'tracepath', 'lldpd', 'lldpcli', 'lldpctl'] as const;
export type SystemToolName = (typeof KNOWN_TOOLS)[number];

/** A bare known tool name becomes its absolute path; anything else is left alone. */
export function resolveSystemCommand(command: string): string {
  return (KNOWN_TOOLS as readonly string[]).includes(command) ? systemTool(command as SystemToolName) : command;
}

export function systemTool(name: SystemToolName): string {
  let path = cache.get(name);
  if (path === undefined) {
    path = locate(name);
    cache.set(name, path);
  }
  return path;
}
