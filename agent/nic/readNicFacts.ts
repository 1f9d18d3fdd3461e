import { access, readFile, readdir, readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { networkInterfaces } from 'node:os';
import type { LldpNeighbour, NicFacts, NicKind, VxlanFacts } from '../../proto/agentFacts.js';
import { exec } from '../exec.js';
import { nicKindOf } from './nicKindOf.js';
import { parseIpLink, type IpLink } from './parseIpLink.js';
import { parseRouteDevice } from './parseRouteDevice.js';
import { vxlanFactsOf, vxlanPeerAddress } from './vxlanFactsOf.js';

const SYS_NET = '/sys/class/net';

async function readSys(nic: string, file: string): Promise<string | null> {
  try {
    return (await readFile(`${SYS_NET}/${nic}/${file}`, 'utf8')).trim();
  } catch {
    // Some attributes (speed of a down link, for one) fail to read by design: unknown, not an error.
    return null;
  }
}

/** A NIC's driver does not change while it exists; ethtool costs a process per NIC per request. */
const driverCache = new Map<string, string | null>();

async function driverOf(nic: string): Promise<string | null> {
  if (!driverCache.has(nic)) driverCache.set(nic, await lookUpDriver(nic));
  return driverCache.get(nic) ?? null;
}

async function lookUpDriver(nic: string): Promise<string | null> {
  try {
    return basename(await readlink(`${SYS_NET}/${nic}/device/driver`));
  } catch {
    // Virtual devices (veth, bridge) have no device link; ethtool still names their driver.
  }
  try {
    const result = await exec('ethtool', ['-i', nic], { timeoutMs: 2000 });
    const match = /^driver:\s*(\S+)/m.exec(result.stdout);
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * Every link as `ip -d -j link show` prints it, or null: kind and VXLAN facts are optional in the
 * contract, so an agent without a working `ip` still reports everything else.
 */
async function readIpLinks(): Promise<IpLink[] | null> {
  try {
    const result = await exec('ip', ['-d', '-j', 'link', 'show'], { timeoutMs: 3000 });
    return result.exitCode === 0 ? parseIpLink(result.stdout) : null;
  } catch {
    return null;
  }
}

/** The device the kernel sends to `address` from; null when there is no route. */
async function routeDeviceTo(address: string): Promise<string | null> {
  try {
    const result = await exec('ip', ['-j', 'route', 'get', address], { timeoutMs: 3000 });
    return result.exitCode === 0 ? parseRouteDevice(result.stdout) : null;
  } catch {
    return null;
  }
}

async function hasDeviceLink(nic: string): Promise<boolean> {
  try {
    await access(`${SYS_NET}/${nic}/device`);
    return true;
  } catch {
    return false;
  }
}

async function kindFacts(name: string, links: readonly IpLink[] | null): Promise<{ kind?: NicKind; vxlan?: VxlanFacts }> {
  const link = links?.find((l) => l.name === name);
  if (!links || !link) return {};
  const kind = nicKindOf(link, await hasDeviceLink(name));
  if (!link.vxlan) return { kind };
  // Only a link without `dev` needs the route: with one, the kernel always sends through it.
  const peer = link.vxlan.device === null ? vxlanPeerAddress(link.vxlan) : null;
  const routeDevice = peer === null ? null : await routeDeviceTo(peer);
  return { kind, vxlan: vxlanFactsOf(link.vxlan, links, routeDevice) };
}

/**
 * Facts about every NIC, loopback included: what the controller needs to judge a path MTU. With
 * `lldp` (lldpd answered), each NIC also says which switch ports it hears, [] for none.
 */
export async function readNicFacts(lldp: ReadonlyMap<string, LldpNeighbour[]> | null = null): Promise<NicFacts[]> {
  const addressesByNic = networkInterfaces();
  const names = (await readdir(SYS_NET)).sort();
  const links = await readIpLinks();
  return Promise.all(names.map(async (name): Promise<NicFacts> => {
    const speed = Number(await readSys(name, 'speed'));
    return {
      name,
      mtuBytes: Number(await readSys(name, 'mtu')),
      addresses: (addressesByNic[name] ?? []).filter((a) => a.cidr !== null).map((a) => a.cidr as string),
      macAddress: await readSys(name, 'address'),
      // The kernel reports -1 or fails for "unknown".
      speedMbps: Number.isInteger(speed) && speed > 0 ? speed : null,
      driver: await driverOf(name),
      operState: await readSys(name, 'operstate'),
      ...(await kindFacts(name, links)),
      ...(lldp === null ? {} : { lldpNeighbours: lldp.get(name) ?? [] }),
    };
  }));
}
