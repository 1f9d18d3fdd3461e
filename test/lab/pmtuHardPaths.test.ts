import test from 'ava';
import { asymmetric, lossyCap, nicMismatch } from '../../scripts/lab/topologies.js';
import { labWithAgents, pmtuBetween } from '../helpers/pmtuInLab.js';

for (const family of ['v4', 'v6'] as const) {
  test.serial(`${family}: different caps per direction give each direction its own MTU, and asymmetric`, async (t) => {
    const env = await labWithAgents(t, asymmetric({ forwardCapBytes: 4000, reverseCapBytes: 2000 }));
    const { exitCode, report } = await pmtuBetween(t, env, family);
    t.is(report.forward.verdict, 'silent-drop');
    t.is(report.forward.pathMtu, 4000);
    t.is(report.reverse.verdict, 'silent-drop');
    t.is(report.reverse.pathMtu, 2000);
    t.true(report.asymmetric);
    t.is(exitCode, 1);
  });

  test.serial(`${family}: a silent cap with 2% random loss each way is still found exactly`, async (t) => {
    const env = await labWithAgents(t, lossyCap({ capBytes: 4470, lossPercent: 2 }));
    // Several sweeps: one lucky run would prove little.
    for (let run = 0; run < 3; run += 1) {
      const { report } = await pmtuBetween(t, env, family);
      for (const d of [report.forward, report.reverse]) {
        t.is(d.verdict, 'silent-drop');
        t.is(d.pathMtu, 4470);
        t.is(d.smallestFailBytes, 4471);
      }
    }
  });

  test.serial(`${family}: hosts whose NIC MTUs differ (9000 vs 1500) are mtu-mismatch both ways, naming the end to change`, async (t) => {
    const env = await labWithAgents(t, nicMismatch({ h1MtuBytes: 9000, h2MtuBytes: 1500 }));
    const { exitCode, report } = await pmtuBetween(t, env, family);
    for (const d of [report.forward, report.reverse]) {
      t.is(d.verdict, 'mtu-mismatch');
      t.is(d.pathMtu, 1500);
      t.is(d.smallestFailBytes, 1501);
      t.regex(d.advice, /raise .*'s NIC MTU to 9000/);
    }
    t.is(report.forward.senderNicMtuBytes, 9000);
    t.is(report.forward.receiverNicMtuBytes, 1500);
    t.false(report.asymmetric);
    t.is(exitCode, 1);
  });
}
