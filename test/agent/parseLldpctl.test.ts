import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseLldpctl } from '../../agent/nic/parseLldpctl.js';

const FIXTURES = new URL('../../../test/fixtures/lldp/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

test('one NIC hearing one switch: its system name, chassis, port and management addresses', (t) => {
  const byInterface = parseLldpctl(fixture('lldpctl-one-neighbour.json'));
  t.deepEqual([...byInterface.keys()], ['la0']);
  t.deepEqual(byInterface.get('la0'), [{
    systemName: 'tor-b', chassisId: 'ea:ce:48:b4:c6:3d', portId: 'ea:ce:48:b4:c6:3d', portDescription: 'lb0',
    managementAddresses: ['198.18.77.2', 'fe80::e8ce:48ff:feb4:c63d'], maxFrameBytes: null,
  }]);
});

test('two NICs: lldpctl turns the interfaces into a list, and a lone management address into a string; both parse the same', (t) => {
  const byInterface = parseLldpctl(fixture('lldpctl-two-interfaces.json'));
  t.deepEqual([...byInterface.keys()], ['la0', 'la1']);
  t.like(byInterface.get('la1')?.[0], { systemName: 'tor-c', portId: 'pc7', portDescription: 'port pc7 to h1', managementAddresses: ['fe80::385b:b9ff:fe6a:584'] });
});

test('no neighbour, a chassis without a name, an advertised frame size; anything else throws', (t) => {
  t.is(parseLldpctl('{"lldp": {}}').size, 0);
  t.is(parseLldpctl('{"lldp": []}').size, 0);
  const bare = parseLldpctl(JSON.stringify({ lldp: { interface: { eth1: { chassis: { id: { type: 'mac', value: '02:00:00:00:00:01' } }, port: { id: { type: 'ifname', value: 'Ethernet12' }, mfs: '9216' } } } } }));
  t.deepEqual(bare.get('eth1'), [{ systemName: null, chassisId: '02:00:00:00:00:01', portId: 'Ethernet12', portDescription: null, managementAddresses: [], maxFrameBytes: 9216 }]);
  t.throws(() => parseLldpctl('not json'), { instanceOf: SyntaxError });
  t.throws(() => parseLldpctl('{"interfaces": []}'), { instanceOf: TypeError });
});

test('captured in the two-rail lab: each NIC of h1 hears its own rail\'s switch, and a switch without lldpd leaves its NIC out', (t) => {
  const both = parseLldpctl(fixture('lldpctl-two-rails.json'));
  t.deepEqual([...both].map(([nic, list]) => [nic, list.map((n) => `${n.systemName} ${n.portId} (${n.portDescription})`)]), [
    ['eth0', ['tora to-h1 (h1 eth0)']],
    ['eth1', ['torb to-h1 (h1 eth1)']],
  ]);
  t.deepEqual([...parseLldpctl(fixture('lldpctl-no-neighbour.json')).keys()], ['eth0'], 'torb runs no lldpd: eth1 has no neighbour');
  t.is(parseLldpctl(fixture('lldpctl-no-neighbours-at-all.json')).size, 0);
});
