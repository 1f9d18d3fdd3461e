import { run } from './run.js';
import { systemTool } from './systemTools.js';

const POLL_MS = 10;

interface IpLinkJson {
  ifname?: string;
  operstate?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_slave_data?: { state?: string } };
}

/** Interfaces of one namespace that cannot carry traffic yet (lo excluded). */
async function notReady(netns: string): Promise<string[]> {
  const result = await run([systemTool('ip'), '-n', netns, '-j', '-d', 'link', 'show']);
  if (result.exitCode !== 0) return [`(ip link failed: ${result.stderr.trim()})`];
  const links = JSON.parse(result.stdout || '[]') as IpLinkJson[];
  return links
    // The bridge device's own operstate comes late through non-urgent link-watch and does not
    // matter: frames are forwarded port to port.
    .filter((l) => l.ifname !== 'lo' && l.linkinfo?.info_kind !== 'bridge')
    .filter((l) => {
      // A vxlan has no carrier of its own: UNKNOWN is as up as it gets (its underlay is checked itself).
      if (l.operstate === 'UNKNOWN' && l.linkinfo?.info_kind === 'vxlan') return false;
      if (l.operstate !== 'UP') return true;
      const slave = l.linkinfo;
      return slave?.info_slave_kind === 'bridge' && slave.info_slave_data?.state !== 'forwarding';
    })
    .map((l) => `${l.ifname ?? '?'}:${l.operstate ?? '?'}`);
}

/**
 * Carrier, operstate and the qdisc come from the kernel's link-watch work, which can run up to 1 s
 * after `link set up`: until then a port drops everything and the first ARP of a test vanishes.
 * Wait until every interface is UP and every bridge port forwarding.
 */
export async function waitForLinksUp(namespaces: string[], timeoutMs: number): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  let pending = namespaces;
  let last: string[] = [];
  while (pending.length > 0) {
    const states = await Promise.all(pending.map(async (ns) => ({ ns, bad: await notReady(ns) })));
    const stillBad = states.filter((s) => s.bad.length > 0);
    pending = stillBad.map((s) => s.ns);
    last = stillBad.map((s) => `${s.ns}[${s.bad.join(' ')}]`);
    if (pending.length === 0) return;
    if (Date.now() > deadlineMs) throw new Error(`lab links not up after ${timeoutMs} ms: ${last.join(', ')}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
