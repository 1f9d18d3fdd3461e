import test from 'ava';
import { inferHopCulprits } from '../../controller/aggregate/hopCulprit.js';
import { pairId, type Pair } from '../../controller/model/pair.js';
import type { PairResult } from '../../controller/model/runReport.js';
import { flowsAt, multiFlowReport, type FlowPlan } from '../helpers/multiFlowSweep.js';

const LEAF = '198.18.1.254';
const GOOD_SPINE = '198.18.3.252';
const BAD_SPINE = '198.18.5.251';

/** Half the flows over the bad spine (capped silently at 1500), half over the good one. */
const split: FlowPlan[] = [...flowsAt(11, 1500, 'silent', [LEAF, BAD_SPINE]), ...flowsAt(12, 9000, undefined, [LEAF, GOOD_SPINE])];

function result(a: string, b: string, flows: readonly FlowPlan[]): PairResult {
  const ends = { a: { agent: a, address: `198.18.1.${a.slice(1)}` }, b: { agent: b, address: `198.18.1.${b.slice(1)}` } };
  const pair: Pair = { id: pairId(ends.a, ends.b), ...ends };
  return { pair, pmtu: multiFlowReport(flows), pmtuError: null, cells: [], throughput: null };
}

test('when the failing flows of several pairs meet at one router and no passing flow crosses it, the run names it with the evidence', (t) => {
  const findings = inferHopCulprits([result('h1', 'h2', split), result('h1', 'h3', split), result('h2', 'h3', split)]);
  t.is(findings.length, 1);
  const [f] = findings;
  t.is(f?.kind, 'culprit-switch');
  t.is(f?.scope, `hop=${BAD_SPINE}`);
  t.is(f?.evidence.pairs.length, 3);
  t.is(f?.evidence.directions.length, 6, 'both directions of each pair');
  t.true(f?.evidence.directions.every((d) => d.hop === 2 && d.failingPathMtu === 1500 && d.passingPathMtu === 9000 && Math.abs(d.failingShare - 11 / 23) < 1e-9));
  t.regex(f?.title ?? '', /^router 198\.18\.5\.251 \(hop 2\) carries only 1500 on the flows hashed through it; its ECMP siblings carry 9000$/);
  t.regex(f?.explanation ?? '', /In 6 directions of 3 pairs .* every flow that found less than 9000 \(48 %–48 % of each direction's flows\) crosses 198\.18\.5\.251 at hop 2/);
  t.regex(f?.fix ?? '', /^look at 198\.18\.5\.251: /);
});

test('one pair alone is left to its own advice; a router that passing flows also cross is never named', (t) => {
  t.deepEqual(inferHopCulprits([result('h1', 'h2', split)]), [], 'one pair: its direction already names the hop');
  // The spine's one capped port is toward h3's leaf: flows of h1~h2 cross the spine and pass, so
  // what only failing flows cross is the far end of that link (hop 3).
  const farLeaf = '198.18.6.253';
  const viaCappedPort: FlowPlan[] = [...flowsAt(11, 1500, 'silent', [LEAF, BAD_SPINE, farLeaf]), ...flowsAt(12, 9000, undefined, [LEAF, GOOD_SPINE, '198.18.4.253'])];
  const spinePasses: FlowPlan[] = [...flowsAt(11, 1500, 'silent', [LEAF, '198.18.7.250']), ...flowsAt(12, 9000, undefined, [LEAF, BAD_SPINE])];
  const findings = inferHopCulprits([result('h1', 'h3', viaCappedPort), result('h2', 'h3', viaCappedPort), result('h1', 'h2', spinePasses)]);
  t.false(findings.some((f) => f.evidence.addresses.includes(BAD_SPINE)), 'in h1~h2 passing flows cross the spine: it is not the cap');
  t.deepEqual(findings.map((f) => [f.scope, f.evidence.directions.map((d) => d.hop)]), [[`hop=${farLeaf}`, [3, 3, 3, 3]]]);
});

test('flows that agree, or were never traced, name no router', (t) => {
  const clean = flowsAt(23, 9000, undefined, [LEAF, GOOD_SPINE]);
  const untraced = [...flowsAt(11, 1500, 'silent'), ...flowsAt(12, 9000)];
  t.deepEqual(inferHopCulprits([result('h1', 'h2', clean), result('h1', 'h3', clean)]), []);
  t.deepEqual(inferHopCulprits([result('h1', 'h2', untraced), result('h1', 'h3', untraced)]), []);
});
