import test from 'ava';
import { labUp } from '../../scripts/lab/labUp.js';
import { startLabAgents } from '../../scripts/lab/labAgents.js';
import { silentCap } from '../../scripts/lab/topologies.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';
import { LAB_PROGRAMS } from '../helpers/repoPaths.js';

for (const family of ['v4', 'v6'] as const) {
  test.serial(`${family}: a target with no agent is measured with ICMP echo and reported as a round trip`, async (t) => {
    const lab = await labUp(silentCap({ capBytes: 4470 }));
    t.teardown(() => lab.down());
    const agents = await startLabAgents(lab, { programs: LAB_PROGRAMS, hosts: ['h1'] });
    t.teardown(() => agents.stop());

    const measured = await agents.cli(['pmtu', '--from', agents.urls.h1!, '--from-address', lab.hosts.h1![family],
      '--to-address', lab.hosts.h2![family], '--token-file', agents.tokenFile, '--json']);
    t.is(measured.exitCode, 1, measured.stderr);
    const report = JSON.parse(measured.stdout);
    assertMatchesContract(t, 'pathprobe.pmtu/v1', report);
    t.is(report.mode, 'echo');
    t.is(report.forward.verdict, 'silent-drop');
    t.is(report.forward.pathMtu, 4470);
    t.true(report.forward.roundTrip);
    t.is(report.reverse, null);
    t.is(report.to.url, null);

    const table = await agents.cli(['pmtu', '--from', agents.urls.h1!, '--from-address', lab.hosts.h1![family],
      '--to-address', lab.hosts.h2![family], '--token-file', agents.tokenFile]);
    t.regex(table.stdout, /\(round trip\)\s+4470/);

    // Same subnet, so --allow lets it through, but nothing lives there.
    const nobody = family === 'v4' ? '198.18.1.99' : '2001:2:0:1::99';
    const dead = await agents.cli(['pmtu', '--from', agents.urls.h1!, '--from-address', lab.hosts.h1![family],
      '--to-address', nobody, '--token-file', agents.tokenFile, '--json']);
    t.is(dead.exitCode, 3, dead.stderr);
    const deadReport = JSON.parse(dead.stdout);
    assertMatchesContract(t, 'pathprobe.pmtu/v1', deadReport);
    t.is(deadReport.forward.verdict, 'unreachable');
    t.is(deadReport.forward.pathMtu, null);
  });
}

test.serial('a peer agent that cannot be reached on the management network gives exit 3 and names it', async (t) => {
  const lab = await labUp(silentCap({ capBytes: 4470 }));
  t.teardown(() => lab.down());
  const agents = await startLabAgents(lab, { programs: LAB_PROGRAMS, hosts: ['h1'] });
  t.teardown(() => agents.stop());
  // h2 has no agent: its management address answers nothing on the agent port.
  const result = await agents.cli(['pmtu', '--from', agents.urls.h1!, '--to', `http://${lab.hosts.h2!.mgmtAddress}:7420`,
    '--from-address', lab.hosts.h1!.v4, '--to-address', lab.hosts.h2!.v4, '--token-file', agents.tokenFile]);
  t.is(result.exitCode, 3);
  t.regex(result.stderr, /^pathprobe: agent http:\/\/198\.19\.0\.2:7420 unreachable: connection refused/);
  t.notRegex(result.stderr, /\n\s+at /);
});
