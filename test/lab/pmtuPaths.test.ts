import test from 'ava';
import { cleanPath, routerFragNeeded, routerIcmpFiltered, silentCap } from '../../scripts/lab/topologies.js';
import { labWithAgents, pmtuBetween } from '../helpers/pmtuInLab.js';

for (const family of ['v4', 'v6'] as const) {
  test.serial(`${family}: a clean 9000 path is ok in both directions, exit 0`, async (t) => {
    const env = await labWithAgents(t, cleanPath({ mtuBytes: 9000 }));
    const { exitCode, report } = await pmtuBetween(t, env, family);
    t.is(report.schema, 'pathprobe.pmtu/v1');
    for (const d of [report.forward, report.reverse]) {
      t.is(d.verdict, 'ok');
      t.is(d.pathMtu, 9000);
      t.is(d.largestOkBytes, 9000);
      t.is(d.smallestFailBytes, 9001);
      t.is(d.pathFrameBytes, 9018);
      t.is(d.icmp, null);
    }
    t.false(report.asymmetric);
    t.is(report.from.nic.mtuBytes, 9000);
    t.is(report.to.nic.mtuBytes, 9000);
    t.is(exitCode, 0);
  });

  test.serial(`${family}: a switch port silently capped at 4470 is silent-drop at exactly 4470 both ways, exit 1`, async (t) => {
    const env = await labWithAgents(t, silentCap({ capBytes: 4470 }));
    const { exitCode, report } = await pmtuBetween(t, env, family);
    for (const d of [report.forward, report.reverse]) {
      t.is(d.verdict, 'silent-drop');
      t.is(d.pathMtu, 4470);
      t.is(d.smallestFailBytes, 4471);
      t.is(d.icmp, null);
      t.true(d.complete);
    }
    t.is(exitCode, 1);
  });

  test.serial(`${family}: a router with a 4000-byte link is frag-needed at 4000, naming the router`, async (t) => {
    const env = await labWithAgents(t, routerFragNeeded({ routerMtuBytes: 4000 }));
    const { exitCode, report } = await pmtuBetween(t, env, family);
    const routerOf = { forward: env.lab.hosts.h1![family].replace(/1$/, '254'), reverse: env.lab.hosts.h2![family].replace(/2$/, '253') };
    for (const key of ['forward', 'reverse'] as const) {
      const d = report[key];
      t.is(d.verdict, 'frag-needed');
      t.is(d.pathMtu, 4000);
      t.is(d.smallestFailBytes, 4001);
      t.deepEqual(d.icmp, { from: routerOf[key], mtu: 4000 });
    }
    t.is(exitCode, 1);
  });

  test.serial(`${family}: the same router with its ICMP filtered is silent-drop at 4000`, async (t) => {
    const env = await labWithAgents(t, routerIcmpFiltered({ routerMtuBytes: 4000 }));
    const { exitCode, report } = await pmtuBetween(t, env, family);
    for (const d of [report.forward, report.reverse]) {
      t.is(d.verdict, 'silent-drop');
      t.is(d.pathMtu, 4000);
      t.is(d.smallestFailBytes, 4001);
      t.is(d.icmp, null);
    }
    t.is(exitCode, 1);
  });
}
