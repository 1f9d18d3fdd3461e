import type { LldpNeighbour } from '../../proto/agentFacts.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : isObject(v) && typeof v.value === 'string' ? v.value : null);

/**
 * The object keyed by a name, or the single-key objects lldpctl makes of it once a key repeats:
 * `{"eth0": {…}}` for one interface, `[{"eth0": {…}}, {"eth1": {…}}]` for two (and the same for
 * several neighbours on one interface).
 */
function entries(v: unknown): Array<[string, Json]> {
  return list(v).flatMap((item) => (isObject(item) ? Object.entries(item) : []))
    .flatMap(([name, value]) => list(value).filter(isObject).map((one): [string, Json] => [name, one]));
}

function neighbourOf(entry: Json): LldpNeighbour {
  // A chassis with a system name is keyed by it; one without is the bare object.
  const chassisEntries = isObject(entry.chassis) && !('id' in entry.chassis) ? entries(entry.chassis) : [];
  const [systemName, chassis] = chassisEntries[0] ?? [null, isObject(entry.chassis) ? entry.chassis : {}];
  const port = isObject(entry.port) ? entry.port : {};
  const mfs = Number(text(port.mfs) ?? NaN);
  return {
    systemName,
    chassisId: text(chassis.id),
    portId: text(port.id),
    portDescription: text(port.descr),
    managementAddresses: list(chassis['mgmt-ip']).filter((a): a is string => typeof a === 'string'),
    maxFrameBytes: Number.isInteger(mfs) && mfs > 0 ? mfs : null,
  };
}

/**
 * `lldpctl -f json` (lldpd 1.0.16) as neighbours by interface name; interfaces without a neighbour
 * are absent. Pure; anything that is not lldpctl's JSON throws a SyntaxError or TypeError for the
 * caller to report.
 */
export function parseLldpctl(json: string): Map<string, LldpNeighbour[]> {
  const doc: unknown = JSON.parse(json);
  if (!isObject(doc) || !('lldp' in doc)) throw new TypeError('not lldpctl JSON: no "lldp" object');
  const lldp = isObject(doc.lldp) ? doc.lldp : {};
  const byInterface = new Map<string, LldpNeighbour[]>();
  for (const [name, entry] of entries(lldp.interface)) {
    byInterface.set(name, [...(byInterface.get(name) ?? []), neighbourOf(entry)]);
  }
  return byInterface;
}
