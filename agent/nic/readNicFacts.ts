import { readFile, readdir, readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { networkInterfaces } from 'node:os';
import type { NicFacts } from '../../proto/agentFacts.js';
import { exec } from '../exec.js';

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

/** Facts about every NIC, loopback included: what the controller needs to judge a path MTU. */
export async function readNicFacts(): Promise<NicFacts[]> {
  const addressesByNic = networkInterfaces();
  const names = (await readdir(SYS_NET)).sort();
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
    };
  }));
}
