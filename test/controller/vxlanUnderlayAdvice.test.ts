import test from 'ava';
import type { NicFacts, VxlanFacts } from '../../proto/agentFacts.js';
import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import { pmtuVerdict } from '../../controller/pmtu/pmtuVerdict.js';

function vxlanNic(mtuBytes: number, vxlan: Partial<VxlanFacts> = {}): NicFacts {
  return {
    name: 'vx0', mtuBytes, addresses: ['198.18.3.1/24'], macAddress: null, speedMbps: null, driver: 'vxlan', operState: 'unknown',
    kind: 'vxlan',
    vxlan: { vni: 42, remoteAddress: '198.18.1.2', underlayDevice: 'eth0', underlayMtuBytes: 9000, underlayFamily: 4, overheadBytes: 50, ...vxlan },
  };
}

const plainNic = (mtuBytes: number): NicFacts =>
  ({ name: 'eth0', mtuBytes, addresses: [], macAddress: null, speedMbps: 10000, driver: 'veth', operState: 'up', kind: 'veth' });

function silentAt(pathMtu: number, deviceMtuBytes: number): PmtuSweepResult {
  return {
    v: 1, mode: 'peer', family: 4, sourceAddress: '198.18.3.1', targetAddress: '198.18.3.2', device: 'vx0',
    deviceMtuBytes, reachable: true, largestOkBytes: pathMtu, smallestFailBytes: pathMtu + 1,
    failEvidence: { silent: 3, icmp: 0, local: 0, sendError: 0 }, complete: true, icmpHints: [], probes: [],
    probesSent: 30, rounds: 4, timeoutMs: 50, lossEstimate: 0, elapsedMs: 300,
  };
}

const ends = (senderNic: NicFacts, receiverNic: NicFacts) => ({ senderName: 'h1', receiverName: 'h2', senderNic, receiverNic });

test('a 1500 overlay that carries 1450 over a 9000 underlay NIC is still silent-drop, consistent with a 1500-byte underlay path', (t) => {
  const v = pmtuVerdict(silentAt(1450, 1500), ends(vxlanNic(1500), vxlanNic(1500)));
  t.is(v.verdict, 'silent-drop');
  t.is(v.pathMtu, 1450);
  t.regex(v.explanation, /1450 is 1500 − 50, the VXLAN overhead of vx0 over IPv4: consistent with an underlay path of 1500 bytes, though eth0 itself is at 9000/);
  t.is(v.advice, 'the VXLAN underlay carries only 1500 (consistent with an underlay path of 1500 bytes): raise every underlay switch port and router between the VTEPs to at least 1550 (1568-byte frames), or set the overlay MTU of vx0 to 1450 on both hosts');
});

test('a 9000 overlay over a 9000 underlay path that carries 8950 asks for 9050 underneath', (t) => {
  const v = pmtuVerdict(silentAt(8950, 9000), ends(vxlanNic(9000, { underlayMtuBytes: 9216 }), vxlanNic(9000)));
  t.is(v.verdict, 'silent-drop');
  t.regex(v.advice!, /^the VXLAN underlay carries only 9000 \(consistent with an underlay path of 9000 bytes\): .* at least 9050 .*overlay MTU of vx0 to 8950/);
});

test("a path MTU of the underlay device's own MTU minus the overhead names that device as the limit", (t) => {
  const v = pmtuVerdict(silentAt(1430, 1500), ends(vxlanNic(1500, { underlayMtuBytes: 1500, underlayFamily: 6, overheadBytes: 70 }), vxlanNic(1500)));
  t.is(v.verdict, 'silent-drop');
  t.regex(v.explanation, /1430 is 1500 − 70: the MTU of eth0, the VXLAN underlay of vx0, less the 70-byte VXLAN overhead over IPv6/);
  t.is(v.advice, "the VXLAN underlay carries only 1500: eth0's MTU is 1500 and vx0 adds 70 bytes to every packet; raise eth0's MTU (and every underlay hop's) to at least 1570, or set the overlay MTU of vx0 to 1430 on both hosts");
});

test('the device MTU is preferred over a common value when both explain the path MTU', (t) => {
  const v = pmtuVerdict(silentAt(1450, 1500), ends(vxlanNic(1500, { underlayMtuBytes: 1500 }), vxlanNic(1500)));
  t.regex(v.advice!, /eth0's MTU is 1500/);
  t.notRegex(v.advice!, /consistent with/);
});

test('an overlay path MTU that no underlay limit explains keeps the switch-port advice', (t) => {
  const v = pmtuVerdict(silentAt(1400, 1500), ends(vxlanNic(1500), vxlanNic(1500)));
  t.is(v.verdict, 'silent-drop');
  t.notRegex(v.advice!, /VXLAN/);
  t.regex(v.advice!, /raise every switch port on the path to at least 1518-byte frames/);
});

test('a vxlan whose overhead is unknown gets no underlay advice', (t) => {
  const v = pmtuVerdict(silentAt(1450, 1500), ends(vxlanNic(1500, { overheadBytes: null, underlayFamily: null }), vxlanNic(1500)));
  t.notRegex(v.advice!, /VXLAN/);
});

test('1450 on a plain NIC is a plain silent cap, not an overlay', (t) => {
  const v = pmtuVerdict({ ...silentAt(1450, 1500), device: 'eth0' }, ends(plainNic(1500), plainNic(1500)));
  t.notRegex(v.explanation, /VXLAN/);
  t.notRegex(v.advice!, /VXLAN/);
});

test('a vxlan path that is as large as its NIC is ok, with no advice', (t) => {
  const v = pmtuVerdict({ ...silentAt(1450, 1450), failEvidence: { silent: 0, icmp: 0, local: 1, sendError: 0 } }, ends(vxlanNic(1450), vxlanNic(1450)));
  t.is(v.verdict, 'ok');
  t.is(v.advice, null);
});
