/** The fields of one `ip -d -j link show` entry that the NIC facts use. */
export interface IpLink {
  name: string;
  mtuBytes: number;
  /** `link_type`: `ether`, `loopback`, … */
  linkType: string | null;
  /** `linkinfo.info_kind`: `veth`, `bridge`, `vxlan`, …; null for a device with no rtnl kind (a real NIC). */
  infoKind: string | null;
  /** `parentbus` (kernel ≥ 5.14): the bus of a device backed by hardware, e.g. `pci`, `virtio`. */
  parentBus: string | null;
  /** `linkinfo.info_data` of a vxlan link, as printed. */
  vxlan: IpLinkVxlan | null;
}

export interface IpLinkVxlan {
  vni: number;
  /** The `dev` the link was created with, if any. */
  device: string | null;
  remote: string | null;
  remote6: string | null;
  group: string | null;
  group6: string | null;
  local: string | null;
  local6: string | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (o: Json, key: string): string | null => (typeof o[key] === 'string' ? o[key] as string : null);

/** Parses `ip -d -j link show`; throws a one-line error naming what is wrong. Pure. */
export function parseIpLink(stdout: string): IpLink[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`ip -d -j link show: not JSON: ${JSON.stringify(stdout.slice(0, 60))}`);
  }
  if (!Array.isArray(parsed)) throw new Error('ip -d -j link show: expected a JSON array of links');
  return parsed.map((entry, i): IpLink => {
    if (!isObject(entry)) throw new Error(`ip -d -j link show: entry ${i} is not an object`);
    const name = text(entry, 'ifname');
    if (name === null) throw new Error(`ip -d -j link show: entry ${i} has no ifname`);
    const mtu = entry.mtu;
    if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu <= 0) throw new Error(`ip -d -j link show: ${name} has no valid mtu`);
    const info = isObject(entry.linkinfo) ? entry.linkinfo : null;
    const infoKind = info ? text(info, 'info_kind') : null;
    return {
      name,
      mtuBytes: mtu,
      linkType: text(entry, 'link_type'),
      infoKind,
      parentBus: text(entry, 'parentbus'),
      vxlan: infoKind === 'vxlan' && info ? parseVxlanData(name, info.info_data) : null,
    };
  });
}

function parseVxlanData(name: string, data: unknown): IpLinkVxlan {
  if (!isObject(data)) throw new Error(`ip -d -j link show: vxlan ${name} has no info_data`);
  const vni = data.id;
  if (typeof vni !== 'number' || !Number.isInteger(vni) || vni < 0) throw new Error(`ip -d -j link show: vxlan ${name} has no valid id`);
  return {
    vni,
    device: text(data, 'link'),
    remote: text(data, 'remote'),
    remote6: text(data, 'remote6'),
    group: text(data, 'group'),
    group6: text(data, 'group6'),
    local: text(data, 'local'),
    local6: text(data, 'local6'),
  };
}
