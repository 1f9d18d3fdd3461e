/** One LLDP neighbour as `lldpctl -f json` shows it, reduced to what the lab tests check. */
export interface LldpNeighbour {
  /** The local interface it was heard on. */
  localIf: string;
  /** The neighbour's system name; undefined when it sends none. */
  systemName: string | undefined;
  portId: string | undefined;
  portDescr: string | undefined;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A key holding one object, or several of them as an array: lldpd's JSON writer does both. */
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * Every neighbour in lldpctl's `-f json` output (test/fixtures/lldp/README.md): `lldp.interface`
 * is one object keyed by interface name when one interface has neighbours, an array of such
 * objects when several do, and absent when none does; `chassis` is keyed by the system name.
 */
export function lldpNeighbours(jsonText: string): LldpNeighbour[] {
  const root: unknown = JSON.parse(jsonText);
  const lldp = isObject(root) ? root['lldp'] : undefined;
  const out: LldpNeighbour[] = [];
  for (const entry of listOf(isObject(lldp) ? lldp['interface'] : undefined)) {
    if (!isObject(entry)) continue;
    for (const [localIf, value] of Object.entries(entry)) {
      for (const n of listOf(value)) {
        if (!isObject(n)) continue;
        const chassis = isObject(n['chassis']) ? n['chassis'] : {};
        // Without a system name the chassis fields (id, descr, …) sit directly under `chassis`.
        const names = Object.keys(chassis);
        const systemName = 'id' in chassis || names.length !== 1 ? undefined : names[0];
        const port = isObject(n['port']) ? n['port'] : {};
        const id = isObject(port['id']) ? port['id'] : {};
        out.push({
          localIf,
          systemName,
          portId: typeof id['value'] === 'string' ? id['value'] : undefined,
          portDescr: typeof port['descr'] === 'string' ? port['descr'] : undefined,
        });
      }
    }
  }
  return out;
}
