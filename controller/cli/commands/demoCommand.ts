import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { pmtuTable } from '../../pmtu/pmtuTable.js';
import { createRunInterrupt, onInterruptSignals } from '../../run/runInterrupt.js';
import type { PmtuReport } from '../../model/pmtuReport.js';

interface DemoArgs { cap: number; ipv6: boolean; json: boolean }

/** The programs the lab runs in its namespaces, compiled next to this one. */
const DEMO_PROGRAMS = {
  agentMain: fileURLToPath(new URL('../../../agent/main.js', import.meta.url)),
  cliMain: fileURLToPath(new URL('../main.js', import.meta.url)),
};

/**
 * The lab is a dev tool under scripts/, loaded only when the demo runs: every other command
 * starts without it (and without its root-only assumptions).
 */
async function loadLab() {
  const [{ labUp }, { silentCap }, { startLabAgents }, { cleanupStale }] = await Promise.all([
    import('../../../scripts/lab/labUp.js'),
    import('../../../scripts/lab/topologies.js'),
    import('../../../scripts/lab/labAgents.js'),
    import('../../../scripts/lab/cleanupStale.js'),
  ]);
  return { labUp, silentCap, startLabAgents, cleanupStale };
}

/**
 * The built-in lab: two jumbo hosts behind a switch port that silently drops anything above
 * --cap, agents on both, one `pathprobe pmtu` from the lab's controller namespace, then teardown.
 * Succeeds when pathprobe finds exactly the cap that was planted.
 */
export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'build a namespace lab with a silently capped switch, probe it, tear it down (root only)',
  builder: (yargs: Argv) => yargs
    .option('cap', { type: 'number', default: 1500, describe: 'largest IP packet the lab switch port lets through' })
    .option('ipv6', { type: 'boolean', default: false, describe: 'probe the IPv6 data addresses' })
    .option('json', { type: 'boolean', default: false, describe: 'print the pmtu JSON object' }) as unknown as Argv<DemoArgs>,
  handler: async (argv) => {
    if (process.getuid?.() !== 0) throw new PathprobeError('ERR_USAGE', 'the demo builds network namespaces: run it as root');
    if (!Number.isInteger(argv.cap) || argv.cap < 1280 || argv.cap >= 9000) {
      throw new PathprobeError('ERR_USAGE', `--cap ${argv.cap} must be an integer from 1280 to 8999 (the lab's NICs are 9000)`);
    }
    // A closed stderr (`demo | head`) must never crash the demo before its lab is torn down.
    const ignoreBrokenPipe = () => {};
    process.stderr.on('error', ignoreBrokenPipe);
    const say = (line: string) => process.stderr.write(`demo: ${line}\n`);
    const { labUp, silentCap, startLabAgents, cleanupStale } = await loadLab();
    await cleanupStale();
    let lab: Awaited<ReturnType<typeof labUp>> | undefined;
    let agents: Awaited<ReturnType<typeof startLabAgents>> | undefined;
    // The first Ctrl-C ends the demo at once; the finally below still tears the lab down, and
    // a second one does not cut that teardown short.
    const interrupt = createRunInterrupt();
    const removeSignals = onInterruptSignals({
      first: () => interrupt.stopAtOnce('demo interrupted; the lab was torn down'),
      second: () => say('still tearing the lab down'),
    });
    const demo = async () => {
      say(`building lab: h1 (NIC 9000) — switch sw1, port to h2 silently capped at ${argv.cap} — h2 (NIC 9000)`);
      lab = await labUp(silentCap({ capBytes: argv.cap }));
      agents = await startLabAgents(lab, { programs: DEMO_PROGRAMS });
      const [h1, h2] = [lab.hosts.h1!, lab.hosts.h2!];
      const family = argv.ipv6 ? 'v6' : 'v4';
      say(`agents up: h1 ${agents.urls.h1}, h2 ${agents.urls.h2}; probing ${h1[family]} ⇄ ${h2[family]}`);
      const result = await agents.cli(['pmtu', '--from', agents.urls.h1!, '--to', agents.urls.h2!,
        '--from-address', h1[family], '--to-address', h2[family], '--token-file', agents.tokenFile, '--json']);
      if (result.exitCode !== 0 && result.exitCode !== 1) {
        throw new PathprobeError('ERR_PROBE_FAILED', `pathprobe pmtu failed in the lab: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
      }
      const report = JSON.parse(result.stdout) as PmtuReport;
      process.stdout.write(argv.json ? result.stdout : pmtuTable(report));
      await agents.stop();
      const directions = [report.forward, report.reverse];
      const found = directions.every((d) => d?.verdict === 'silent-drop' && d.pathMtu === argv.cap);
      if (!found) {
        const seen = directions.map((d) => (d && 'pathMtu' in d ? `${d.verdict} ${d.pathMtu}` : d?.verdict)).join(' / ');
        throw new PathprobeError('ERR_PROBE_FAILED', `expected silent-drop at ${argv.cap} in both directions, got ${seen}`);
      }
      say(`found the planted cap: silent-drop above ${argv.cap} bytes in both directions`);
    };
    try {
      await Promise.race([demo(), interrupt.stopNow]);
    } finally {
      say('tearing the lab down');
      // The agents' token directory lives outside the lab: an interrupted demo removes it too.
      await agents?.stop().catch(() => {});
      await lab?.down();
      removeSignals();
      process.stderr.off('error', ignoreBrokenPipe);
    }
  },
};
