import test from 'ava';
import { twoPathEcmp } from '../../scripts/lab/topologies.js';
import { labWithAgents } from '../helpers/pmtuInLab.js';
import { assertMatchesContract } from '../helpers/assertMatchesContract.js';

/*
 * One ECMP member capping frames: h1 — r1 ⇉ r2 — h2 at 9000 everywhere, but r1 and r2 silently drop
 * packets above 1500 on the second r1–r2 link only (in the routers' forward hook, both directions,
 * v4 and v6). L4 hashing puts each TCP stream on one link, so at 8 streams some stall and others flow.
 */

/** nft for one router: drop forwarded packets above capBytes leaving through `port`, telling nobody. */
function memberCap(port: string, capBytes: number): string {
  return [
    'table inet ppmember {',
    '  chain capmember {',
    '    type filter hook forward priority -10; policy accept;',
    `    oifname "${port}" meta nfproto ipv4 ip length > ${capBytes} counter drop`,
    `    oifname "${port}" meta nfproto ipv6 ip6 length > ${capBytes - 40} counter drop`,
    '  }',
    '}',
  ].join('\n') + '\n';
}

test.serial('one capped ECMP member: the jumbo cell says k of 8 streams stalled, the verdict is a partial stall, and 1500 works on every path', async (t) => {
  t.timeout(180_000);
  const env = await labWithAgents(t, twoPathEcmp({ rateMbitPerPath: 100, mtuBytes: 9000 }));
  for (const [router, port] of [['r1', 'to-r2-2'], ['r2', 'to-r1-2']] as const) {
    const applied = await env.lab.exec(router, ['nft', '-f', '-'], { input: memberCap(port, 1500) });
    t.is(applied.exitCode, 0, applied.stderr);
  }
  const { lab, agents } = env;
  const result = await agents.cli(['throughput', '--from', agents.urls.h1!, '--to', agents.urls.h2!, '--from-address', lab.hosts.h1!.v4,
    '--to-address', lab.hosts.h2!.v4, '--token-file', agents.tokenFile, '--json',
    '--streams', '8', '--duration', '2s', '--repeats', '1', '--direction', 'forward'], { timeoutMs: 150_000 });
  t.is(result.exitCode, 1, result.stderr);
  const report = JSON.parse(result.stdout);
  assertMatchesContract(t, 'pathprobe.throughput/v1', report);
  const forward = report.matrix.directions[0];
  const rows = Object.fromEntries(forward.rows.map((r: any) => [r.row.row, r]));
  t.log(forward.jumboVerdict.explanation);

  // 8 streams all hashed onto one of two links: 2 × 2^-8; this cell sees both.
  const p8 = rows.jumbo.cells[0];
  t.true(p8.partialStall, JSON.stringify(p8.stalledStreams));
  t.true(p8.stalledStreams.stalled > 0 && p8.stalledStreams.stalled < 8, JSON.stringify(p8.stalledStreams));
  t.is(p8.stalledStreams.of, 8);
  t.is(forward.jumboVerdict.verdict, 'jumbo-stalled');
  t.is(forward.jumboVerdict.stall, 'partial');
  t.regex(forward.jumboVerdict.explanation, /P8 \(\d of 8 streams\)/);
  t.regex(forward.jumboVerdict.explanation, /one of several paths \(ECMP, LAG member\) capping frames/);
  t.deepEqual(rows.jumbo.sweetSpot.partialStalls, [8], 'the sweet spot does not trust the paths that happened to work');

  // The 1500 row crosses both members: no stream of it stalls.
  const p8at1500 = rows['1500'].cells[0];
  t.is(p8at1500.status, 'measured');
  t.false(p8at1500.stalled);
  t.is(p8at1500.stalledStreams, null);
});
