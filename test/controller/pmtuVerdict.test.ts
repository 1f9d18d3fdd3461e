import test from 'ava';
import type { NicFacts } from '../../proto/agentFacts.js';
import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import { pmtuVerdict } from '../../controller/pmtu/pmtuVerdict.js';
import { flowsAt, multiFlowSweep } from '../helpers/multiFlowSweep.js';

function nic(mtuBytes: number): NicFacts {
  return { name: 'eth0', mtuBytes, addresses: [], macAddress: null, speedMbps: 10000, driver: 'veth', operState: 'up' };
}

function sweep(overrides: Partial<PmtuSweepResult>): PmtuSweepResult {
  return {
    v: 1, mode: 'peer', family: 4, sourceAddress: '198.18.1.1', targetAddress: '198.18.1.2', device: 'eth0',
    deviceMtuBytes: 9000, reachable: true, largestOkBytes: 9000, smallestFailBytes: 9001,
    failEvidence: { silent: 0, icmp: 0, local: 1, sendError: 0 }, complete: true, icmpHints: [], probes: [],
    probesSent: 20, rounds: 2, timeoutMs: 50, lossEstimate: 0, elapsedMs: 12, ...overrides,
  };
}

const ends = (senderMtu: number, receiverMtu: number | null) => ({
  senderName: 'h1', receiverName: 'h2', senderNic: nic(senderMtu), receiverNic: receiverMtu === null ? null : nic(receiverMtu),
});

test('a path as large as both NICs is ok, with the frame size it implies', (t) => {
  const v = pmtuVerdict(sweep({}), ends(9000, 9000));
  t.is(v.verdict, 'ok');
  t.is(v.pathMtu, 9000);
  t.is(v.pathFrameBytes, 9018);
  t.is(v.advice, null);
});

test('a silent cap below both NICs is silent-drop, with advice in switch and NIC terms', (t) => {
  const v = pmtuVerdict(sweep({ largestOkBytes: 4470, smallestFailBytes: 4471, failEvidence: { silent: 3, icmp: 0, local: 0, sendError: 0 } }), ends(9000, 9000));
  t.is(v.verdict, 'silent-drop');
  t.is(v.pathMtu, 4470);
  t.regex(v.explanation, /drops packets above 4470 bytes \(frames above 4488\)/);
  t.regex(v.advice!, /at least 9018-byte frames \(9022 with an 802\.1Q tag\)/);
  t.regex(v.advice!, /set the NIC MTU to 4470 on both hosts \(Windows 'Jumbo Packet' 4484\)/);
});

test('a router that reports its MTU is frag-needed, naming the router and the MTU', (t) => {
  const v = pmtuVerdict(sweep({
    largestOkBytes: 4000, smallestFailBytes: 4001, failEvidence: { silent: 0, icmp: 3, local: 0, sendError: 0 },
    icmpHints: [{ from: '198.18.2.254', mtuBytes: 4000, probeBytes: 9000 }],
  }), ends(9000, 9000));
  t.is(v.verdict, 'frag-needed');
  t.deepEqual(v.icmp, { from: '198.18.2.254', mtu: 4000 });
  t.regex(v.advice!, /198\.18\.2\.254's egress interface to 9000/);
});

test('an ICMP hint that probing did not confirm does not make the verdict', (t) => {
  const v = pmtuVerdict(sweep({
    largestOkBytes: 3000, smallestFailBytes: 3001, failEvidence: { silent: 3, icmp: 0, local: 0, sendError: 0 },
    icmpHints: [{ from: '198.18.2.254', mtuBytes: 4000, probeBytes: 9000 }],
  }), ends(9000, 9000));
  t.is(v.verdict, 'silent-drop');
  t.is(v.icmp, null);
  t.regex(v.explanation, /hint of 4000 from 198\.18\.2\.254 was not confirmed/);
});

test('NICs with different MTUs are mtu-mismatch in both directions, saying which end to change', (t) => {
  const bigToSmall = pmtuVerdict(sweep({ largestOkBytes: 1500, smallestFailBytes: 1501, failEvidence: { silent: 3, icmp: 0, local: 0, sendError: 0 } }), ends(9000, 1500));
  t.is(bigToSmall.verdict, 'mtu-mismatch');
  t.regex(bigToSmall.explanation, /dropped by the receiving NIC/);
  t.regex(bigToSmall.advice!, /raise h2's NIC MTU to 9000 .* or lower h1's NIC MTU to 1500/);
  const smallToBig = pmtuVerdict(sweep({ deviceMtuBytes: 1500, largestOkBytes: 1500, smallestFailBytes: 1501 }), ends(1500, 9000));
  t.is(smallToBig.verdict, 'mtu-mismatch');
  t.regex(smallToBig.advice!, /raise h1's NIC MTU to 9000/);
});

test('a peer that answers nothing is unreachable, never a small MTU', (t) => {
  const v = pmtuVerdict(sweep({ reachable: false, largestOkBytes: null, smallestFailBytes: null }), ends(9000, 9000));
  t.is(v.verdict, 'unreachable');
  t.is(v.pathMtu, null);
});

test('an echo sweep is a round trip, judged against the sender only', (t) => {
  const v = pmtuVerdict(sweep({ mode: 'echo' }), ends(9000, null));
  t.is(v.verdict, 'ok');
  t.true(v.roundTrip);
});

test('an unproved boundary says so', (t) => {
  const v = pmtuVerdict(sweep({ largestOkBytes: 4470, smallestFailBytes: 4471, complete: false, failEvidence: { silent: 1, icmp: 0, local: 0, sendError: 0 } }), ends(9000, 9000));
  t.false(v.complete);
  t.regex(v.explanation, /boundary not proved/);
});

test('each flow class gets the verdict of its own flows: the class carrying the NIC MTU is ok, a silently capped one silent-drop', (t) => {
  const v = pmtuVerdict(multiFlowSweep([...flowsAt(12, 9000), ...flowsAt(11, 1500)]), ends(9000, 9000));
  t.is(v.verdict, 'silent-drop', 'the direction is judged by its worst class');
  t.deepEqual(v.flows!.classes.map((c) => [c.pathMtuBytes, c.flows, c.verdict, c.representativeFlow]), [
    [1500, 11, 'silent-drop', 12],
    [9000, 12, 'ok', 0],
  ]);
});

test("a class capped by a router that says so is frag-needed from that flow's own ICMP, while the other class is ok", (t) => {
  const v = pmtuVerdict(multiFlowSweep([...flowsAt(2, 4000, 'icmp'), ...flowsAt(3, 9000)]), ends(9000, 9000));
  t.is(v.verdict, 'frag-needed');
  t.deepEqual(v.flows!.classes.map((c) => c.verdict), ['frag-needed', 'ok']);
});

test('flows that got no answer are an unreachable class next to the ones that work', (t) => {
  const v = pmtuVerdict(multiFlowSweep([...flowsAt(1, null), ...flowsAt(4, 9000)]), ends(9000, 9000));
  t.deepEqual(v.flows!.classes.map((c) => [c.pathMtuBytes, c.verdict]), [[null, 'unreachable'], [9000, 'ok']]);
});

test('three paths, three verdicts: each class is judged against the NIC MTUs on its own', (t) => {
  const v = pmtuVerdict(multiFlowSweep([...flowsAt(1, 1500), ...flowsAt(1, 4470, 'icmp'), ...flowsAt(1, 9000)]), ends(9000, 9000));
  t.deepEqual(v.flows!.classes.map((c) => [c.pathMtuBytes, c.verdict]), [[1500, 'silent-drop'], [4470, 'frag-needed'], [9000, 'ok']]);
});
