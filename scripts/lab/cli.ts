import { cleanupStale } from './cleanupStale.js';
import { labUp } from './labUp.js';
import { TOPOLOGIES } from './topologies.js';
import type { TopologyName } from './topologies.js';

/*
 * Manual use:  node dist/scripts/lab/cli.js up silentCap '{"capBytes":4470}'
 *   builds the lab, prints its hosts and namespaces, and holds it until Ctrl-C / SIGTERM, then tears
 *   it down (the lab lives only as long as this process, so cleanupStale can always tell it is live).
 *              node dist/scripts/lab/cli.js cleanup
 *   removes namespaces left by crashed runs.
 */
async function main(argv: string[]): Promise<number> {
  const [command, name, paramsJson] = argv;
  if (command === 'cleanup') {
    console.log(JSON.stringify(await cleanupStale(), null, 2));
    return 0;
  }
  if (command === 'up' && name !== undefined && name in TOPOLOGIES) {
    const make = TOPOLOGIES[name as TopologyName] as (params: object) => ReturnType<(typeof TOPOLOGIES)[TopologyName]>;
    const lab = await labUp(make(paramsJson ? (JSON.parse(paramsJson) as object) : {}));
    const lldpSockets = Object.fromEntries(Object.keys(lab.nodeKinds).flatMap((n) => { const s = lab.lldpSocketOf(n); return s === null ? [] : [[n, s]]; }));
    console.log(JSON.stringify({ id: lab.id, buildMs: lab.buildMs, hosts: lab.hosts, controllerNetns: lab.controllerNetns, namespaces: lab.namespaces, lldpSockets }, null, 2));
    console.log('lab is up; Ctrl-C tears it down');
    // Signal listeners alone do not keep Node's event loop alive: the timer does.
    const keepAlive = setInterval(() => undefined, 60_000);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    clearInterval(keepAlive);
    await lab.down();
    console.log('lab is down');
    return 0;
  }
  console.error(`usage: cli.js up <${Object.keys(TOPOLOGIES).join('|')}> ['{"param":value}']\n       cli.js cleanup`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
