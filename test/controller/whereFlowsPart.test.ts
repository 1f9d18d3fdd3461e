import test from 'ava';
import { readFileSync } from 'node:fs';
import type { FlowSweep } from '../../proto/pmtuSweep.js';
import { whereFlowsPart } from '../../controller/pmtu/whereFlowsPart.js';
import { flowSplitAdvice, flowSplitWords } from '../../controller/pmtu/flowSplitWords.js';

const FIXTURES = new URL('../../../test/fixtures/flows/', import.meta.url);
const captured = (name: string): FlowSweep[] => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

function flow(largestOkBytes: number | null, hops: Array<string | null> | null, reachedAtHop: number | null = hops === null ? null : hops.length + 1): FlowSweep {
  return {
    sourcePort: 40000, reachable: largestOkBytes !== null, largestOkBytes, smallestFailBytes: largestOkBytes === 9000 || largestOkBytes === null ? null : largestOkBytes + 1,
    failEvidence: { silent: 3, icmp: 0, local: 0, sendError: 0 }, complete: true, probesSent: 20, rounds: 5,
    trace: hops === null ? null : { hops, reachedAtHop },
  };
}

test('on a captured 4-spine fabric, the silent spine is the hop every failing flow crosses and no passing flow does, v4 and v6', (t) => {
  for (const [file, spine, leafPort] of [
    ['leaf-spine-4-silent-v4.json', '198.18.9.249', '198.18.10.253'],
    ['leaf-spine-4-silent-v6.json', '2001:2:0:9::249', '2001:2:0:10::253'],
  ] as const) {
    const split = whereFlowsPart(captured(file));
    if (split?.kind !== 'routed') return t.fail(`${file}: ${JSON.stringify(split)}`);
    t.deepEqual(split.hops, [{ hop: 2, addresses: [spine] }, { hop: 3, addresses: [leafPort] }], file);
    t.is(split.failingFlows + split.passingFlows, 23);
    t.is(flowSplitWords(split), `every failing flow crosses ${spine} at hop 2 and ${leafPort} at hop 3; no passing flow does`);
    t.regex(flowSplitAdvice(split, 9000) ?? '', new RegExp(`^look at ${spine} \\(hop 2, the first router that only failing flows cross\\)`));
  }
});

test('two bad spines of four are named together at their hop', (t) => {
  const leaf = '198.18.1.254';
  const split = whereFlowsPart([
    flow(1500, [leaf, '198.18.9.249']), flow(1500, [leaf, '198.18.7.250']),
    flow(9000, [leaf, '198.18.3.252']), flow(9000, [leaf, '198.18.5.251']),
  ]);
  t.deepEqual(split, { kind: 'routed', hops: [{ hop: 2, addresses: ['198.18.7.250', '198.18.9.249'] }], failingFlows: 2, passingFlows: 2 });
  t.is(flowSplitWords(split), 'every failing flow crosses one of 198.18.7.250, 198.18.9.249 at hop 2; no passing flow does');
});

test('a LAG member with a small MTU: the same routers for every flow, so the split is below L3 and the advice says what to check', (t) => {
  const route = ['198.18.1.254', '198.18.3.252'];
  const split = whereFlowsPart([flow(1500, route), flow(9000, route), flow(1500, route), flow(9000, route)]);
  t.deepEqual(split, { kind: 'below-l3', routers: route, failingFlows: 2, passingFlows: 2 });
  t.regex(flowSplitWords(split), /cross the same routers \(198\.18\.1\.254, 198\.18\.3\.252\): they part below L3, inside a link/);
  t.regex(flowSplitAdvice(split, 9000) ?? '', /one member of a LAG \/ port-channel .* carries less than 9000: check the MTU of every member port/);
});

test('hosts on one L2 segment with a LAG between their switches: no router at all, and the words say the L2 fabric', (t) => {
  const split = whereFlowsPart([flow(1500, []), flow(9000, [])]);
  t.deepEqual(split, { kind: 'below-l3', routers: [], failingFlows: 1, passingFlows: 1 });
  t.regex(flowSplitWords(split), /cross no router: they part inside the L2 fabric/);
  t.regex(flowSplitAdvice(split, 9000) ?? '', /between the two hosts/);
});

test('no claim without evidence: untraced flows, or a hop that did not answer every failing flow', (t) => {
  t.is(whereFlowsPart([flow(9000, null), flow(9000, null)]), null, 'flows that agree have no split');
  t.like(whereFlowsPart([flow(1500, null), flow(9000, ['198.18.1.254'])]), { kind: 'unknown' });
  const untraced = [flow(1500, null), flow(9000, null)].map(({ trace: _, ...f }) => f);
  t.is(whereFlowsPart(untraced), null, 'an agent older than traces says nothing about where');
  const silentHop = whereFlowsPart([flow(1500, ['198.18.1.254', null]), flow(9000, ['198.18.1.254', '198.18.3.252'])]);
  t.like(silentHop, { kind: 'unknown', reason: 'hop 2 did not answer every flow, so the routers cannot be compared' });
  t.is(flowSplitAdvice(silentHop, 9000), null, 'no device is named on a guess');
});

test('routes that differ but share every router are not blamed on any of them', (t) => {
  const split = whereFlowsPart([
    flow(1500, ['198.18.1.254', '198.18.3.252']), flow(1500, ['198.18.1.254', '198.18.5.251']),
    flow(9000, ['198.18.1.254', '198.18.5.251']), flow(9000, ['198.18.1.254', '198.18.3.252']),
    flow(1500, ['198.18.1.254', '198.18.3.252', '198.18.7.250']),
  ]);
  t.like(split, { kind: 'unknown' });
});

test('a flow with no answer at all counts as failing', (t) => {
  const split = whereFlowsPart([flow(null, ['198.18.1.254', '198.18.9.249']), flow(9000, ['198.18.1.254', '198.18.3.252'])]);
  t.like(split, { kind: 'routed', hops: [{ hop: 2, addresses: ['198.18.9.249'] }] });
});
