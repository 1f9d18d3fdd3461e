import test from 'ava';
import type { AgentFactsResponse, LldpNeighbour } from '../../proto/agentFacts.js';
import { withLldpLabels } from '../../controller/plan/lldpLabels.js';
import { lldpFindings } from '../../controller/aggregate/lldpFindings.js';
import type { PlanAgent } from '../../controller/model/plan.js';

const neighbour = (systemName: string, portId: string, maxFrameBytes: number | null = null): LldpNeighbour => ({
  systemName, chassisId: '02:00:00:00:00:01', portId, portDescription: `${portId} to host`, managementAddresses: [], maxFrameBytes,
});

/** h<n>: eth0 198.18.1.n hears tor-a pa<n>, eth1 198.18.2.n hears tor-b pb<n> (h3's eth1 optionally elsewhere). */
function factsOf(n: number, eth1: LldpNeighbour = neighbour('tor-b', `pb${n}`)): AgentFactsResponse {
  const nic = (name: string, address: string, lldp: LldpNeighbour[]) => ({
    name, mtuBytes: 9000, addresses: [address, 'fe80::1/64'], macAddress: null, speedMbps: null, driver: null, operState: 'up', lldpNeighbours: lldp,
  });
  return {
    v: 1, hostname: `h${n}`, agentVersion: '0.1.0', contractVersions: [1], kernel: '6.18', cpuCount: 2,
    nics: [nic('eth0', `198.18.1.${n}/24`, [neighbour('tor-a', `pa${n}`)]), nic('eth1', `198.18.2.${n}/24`, [eth1])],
    lldp: { available: true, socket: '/run/lldpd.socket', detail: '2 LLDP neighbours on 2 NICs' },
  };
}
const agent = (n: number, o: Partial<PlanAgent> = {}): PlanAgent => ({ name: `h${n}`, url: `http://198.19.0.${n}:7420`, addresses: 'all', labels: {}, ...o });

test('each NIC takes its LLDP switch and port as labels where the plan gives none of that key; labels the plan gives are never replaced', (t) => {
  const facts = new Map([[`h1`, factsOf(1)], ['h2', factsOf(2)]]);
  const [h1, h2] = withLldpLabels([agent(1), agent(2, { labels: { switch: 'tor-x' } })], facts);
  t.deepEqual(h1?.nicLabels, { '198.18.1.1': { switch: 'tor-a', port: 'tor-a/pa1' }, '198.18.2.1': { switch: 'tor-b', port: 'tor-b/pb1' } }, 'per NIC, link-local addresses left out');
  t.deepEqual(h2?.labels, { switch: 'tor-x' }, 'the plan\'s switch stands');
  t.deepEqual(h2?.nicLabels, { '198.18.1.2': { port: 'tor-a/pa2' }, '198.18.2.2': { port: 'tor-b/pb2' } }, 'only the port, which the plan does not give, comes from the wire');
  const [rackOnly] = withLldpLabels([agent(1, { labels: { rack: 'r12' } })], facts);
  t.deepEqual(rackOnly?.nicLabels?.['198.18.2.1'], { switch: 'tor-b', port: 'tor-b/pb1' }, 'a plan with only rack labels still learns switches and ports');
  t.deepEqual(withLldpLabels([agent(3)], new Map()), [agent(3)], 'no facts, no labels to take');
});

test('a plan label that contradicts LLDP is a cabling finding naming both', (t) => {
  const facts = new Map([['h3', factsOf(3, neighbour('tor-b', 'pb12'))]]);
  const plan = [agent(3, { addresses: ['198.18.1.3', '198.18.2.3'], nicLabels: { '198.18.1.3': { switch: 'tor-a' }, '198.18.2.3': { switch: 'tor-a' } } })];
  const findings = lldpFindings(plan, facts);
  t.is(findings.length, 1);
  t.like(findings[0], { kind: 'expectation', severity: 'fail', scope: 'h3/198.18.2.3', title: 'h3 NIC eth1 is cabled to tor-b pb12, the plan says tor-a' });
  t.deepEqual(lldpFindings([agent(3)], facts), [], 'no switch label in the plan: nothing to contradict');
});

test('a port that advertises a maximum frame size below what the NIC MTU needs is a finding before any probe', (t) => {
  const facts = new Map([['h4', factsOf(4, neighbour('tor-b', 'pb4', 1518))]]);
  const [finding] = lldpFindings([agent(4)], facts);
  t.like(finding, { kind: 'path-mtu', scope: 'h4/198.18.2.4', title: 'tor-b pb4 advertises frames up to 1518 bytes; h4 eth1 at MTU 9000 needs 9018' });
  t.regex(finding?.fix ?? '', /lower h4 eth1's MTU to 1500/);
  t.deepEqual(lldpFindings([agent(5)], new Map([['h5', factsOf(5, neighbour('tor-b', 'pb5', 9216))]])), [], '9216 carries 9018');
});
