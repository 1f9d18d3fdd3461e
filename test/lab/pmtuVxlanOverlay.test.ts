import test from 'ava';
import { vxlanOverlay } from '../../scripts/lab/topologies.js';
import { labWithAgents, pmtuBetween } from '../helpers/pmtuInLab.js';

/*
 * A 1500 VXLAN overlay over 9000 underlay NICs, whose switch silently drops outer packets above
 * 1500: the NICs all look fine, and only the sweep shows the overlay carries 1500 − overhead.
 * (pmtuBetween also validates every report against the published pathprobe.pmtu/v1 schema.)
 */
const cases = [
  { underlayFamily: 4, overheadBytes: 50, inner: ['v4', 'v6'] },
  { underlayFamily: 6, overheadBytes: 70, inner: ['v4'] },
] as const;

for (const { underlayFamily, overheadBytes, inner } of cases) {
  const pathMtu = 1500 - overheadBytes;
  for (const family of inner) {
    test.serial(`${family} over a VXLAN on an IPv${underlayFamily} underlay capped at 1500 is silent-drop at ${pathMtu} both ways, and the advice names the underlay`, async (t) => {
      const env = await labWithAgents(t, vxlanOverlay({ overlayMtuBytes: 1500, underlayMtuBytes: 9000, underlayCapBytes: 1500, underlayFamily }));
      const { exitCode, report } = await pmtuBetween(t, env, family, { over: 'overlay' });
      for (const end of [report.from, report.to]) {
        t.is(end.nic.name, 'vx0');
        t.is(end.nic.kind, 'vxlan');
        t.is(end.nic.mtuBytes, 1500);
        t.like(end.nic.vxlan, { vni: 42, underlayDevice: 'eth0', underlayMtuBytes: 9000, underlayFamily, overheadBytes });
      }
      t.is(report.from.nic.vxlan.remoteAddress, env.lab.hosts.h2![`v${underlayFamily}`]);
      for (const d of [report.forward, report.reverse]) {
        t.is(d.verdict, 'silent-drop');
        t.is(d.pathMtu, pathMtu);
        t.is(d.smallestFailBytes, pathMtu + 1);
        t.true(d.complete);
        t.regex(d.explanation, new RegExp(`${pathMtu} is 1500 − ${overheadBytes}, the VXLAN overhead of vx0 over IPv${underlayFamily}: consistent with an underlay path of 1500 bytes, though eth0 itself is at 9000`));
        t.regex(d.advice, new RegExp(`^the VXLAN underlay carries only 1500 \\(consistent with an underlay path of 1500 bytes\\): raise every underlay switch port and router between the VTEPs to at least ${1500 + overheadBytes} .*or set the overlay MTU of vx0 to ${pathMtu} on both hosts$`));
      }
      t.false(report.asymmetric);
      t.is(exitCode, 1);
    });
  }
}

test.serial('the data path under the same overlay is silent-drop at 1500, with the plain switch-port advice', async (t) => {
  const env = await labWithAgents(t, vxlanOverlay());
  const { report } = await pmtuBetween(t, env, 'v4');
  t.is(report.from.nic.kind, 'veth');
  t.is(report.from.nic.vxlan, undefined);
  for (const d of [report.forward, report.reverse]) {
    t.is(d.verdict, 'silent-drop');
    t.is(d.pathMtu, 1500);
    t.notRegex(d.advice, /VXLAN/);
  }
});
