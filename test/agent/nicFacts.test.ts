import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NicFacts } from '../../proto/agentFacts.js';
import { nicKindOf } from '../../agent/nic/nicKindOf.js';
import { parseIpLink, type IpLink } from '../../agent/nic/parseIpLink.js';
import { parseRouteDevice } from '../../agent/nic/parseRouteDevice.js';
import { vxlanFactsOf, vxlanOverheadBytes } from '../../agent/nic/vxlanFactsOf.js';
import { FIXTURES } from '../helpers/repoPaths.js';

/** Captured `ip` output, see test/fixtures/nic/README.md. */
const fixture = (name: string): string => readFileSync(join(FIXTURES, 'nic', name), 'utf8');
const vxlanLinks = parseIpLink(fixture('ip-d-j-link-vxlan.json'));
const hostLinks = parseIpLink(fixture('ip-d-j-link-host.json'));
const link = (links: IpLink[], name: string): IpLink => {
  const found = links.find((l) => l.name === name);
  if (!found) throw new Error(`fixture has no ${name}`);
  return found;
};

test('every link of a namespace is read with its name and MTU', (t) => {
  t.deepEqual(vxlanLinks.map((l) => [l.name, l.mtuBytes]), [['lo', 65536], ['eth0', 9000], ['vx0', 1500], ['vx1', 1500], ['vx6', 8930], ['br0', 1500]]);
});

test('loopback, veth, bridge and vxlan links are named by their kind, a vxlan bridge port still as vxlan', (t) => {
  t.deepEqual(vxlanLinks.map((l) => [l.name, nicKindOf(l, false)]), [
    ['lo', 'loopback'], ['eth0', 'veth'], ['vx0', 'vxlan'], ['vx1', 'vxlan'], ['vx6', 'vxlan'], ['br0', 'bridge'],
  ]);
});

test('a NIC backed by a bus is physical, and a kind the contract does not name is other', (t) => {
  t.deepEqual(hostLinks.map((l) => [l.name, nicKindOf(l, false)]), [['lo', 'loopback'], ['ifb0', 'other'], ['ifb1', 'other'], ['eth0', 'physical']]);
});

test('a device with no kind and no parent bus is physical only when sysfs has its device link', (t) => {
  const bare: IpLink = { ...link(hostLinks, 'eth0'), parentBus: null };
  t.is(nicKindOf(bare, true), 'physical');
  t.is(nicKindOf(bare, false), 'other');
});

test('a vxlan with a dev over IPv4 has that dev as underlay, its MTU, and 50 bytes of overhead', (t) => {
  const vx0 = link(vxlanLinks, 'vx0');
  t.deepEqual(vxlanFactsOf(vx0.vxlan!, vxlanLinks, null), {
    vni: 42, remoteAddress: '198.18.1.2', underlayDevice: 'eth0', underlayMtuBytes: 9000, underlayFamily: 4, overheadBytes: 50,
  });
});

test('a vxlan over IPv6 costs 70 bytes, which is exactly what the kernel took off its MTU', (t) => {
  const vx6 = link(vxlanLinks, 'vx6');
  const facts = vxlanFactsOf(vx6.vxlan!, vxlanLinks, null);
  t.is(facts.underlayFamily, 6);
  t.is(facts.overheadBytes, 70);
  t.is(facts.remoteAddress, '2001:2:0:1::2');
  t.is(vx6.mtuBytes, facts.underlayMtuBytes! - facts.overheadBytes!);
});

test('a vxlan without a dev takes the device of the route to its remote as underlay', (t) => {
  const vx1 = link(vxlanLinks, 'vx1');
  t.is(vx1.vxlan!.device, null);
  const facts = vxlanFactsOf(vx1.vxlan!, vxlanLinks, parseRouteDevice(fixture('ip-j-route-get.json')));
  t.is(facts.underlayDevice, 'eth0');
  t.is(facts.underlayMtuBytes, 9000);
  t.is(facts.overheadBytes, 50);
});

test('a vxlan with no dev and no route has an unknown underlay, but its overhead is still known', (t) => {
  const facts = vxlanFactsOf(link(vxlanLinks, 'vx1').vxlan!, vxlanLinks, null);
  t.is(facts.underlayDevice, null);
  t.is(facts.underlayMtuBytes, null);
  t.is(facts.overheadBytes, 50);
});

test('a vxlan that names no address has neither a family nor an overhead', (t) => {
  const bare = { vni: 7, device: 'eth0', remote: null, remote6: null, group: null, group6: null, local: null, local6: null };
  const facts = vxlanFactsOf(bare, vxlanLinks, null);
  t.is(facts.underlayFamily, null);
  t.is(facts.overheadBytes, null);
  t.is(facts.underlayDevice, 'eth0');
});

test('the overhead is outer IP + UDP 8 + VXLAN 8 + inner Ethernet 14', (t) => {
  t.is(vxlanOverheadBytes(4), 20 + 8 + 8 + 14);
  t.is(vxlanOverheadBytes(6), 40 + 8 + 8 + 14);
});

test('facts of an older agent, without kind or vxlan, still fit contract v1', (t) => {
  const old = { name: 'eth0', mtuBytes: 1500, addresses: [], macAddress: null, speedMbps: null, driver: null, operState: 'up' };
  t.true(NicFacts.safeParse(old).success);
  t.false(NicFacts.safeParse({ ...old, kind: 'tunnel' }).success);
});

test('output that is not ip link JSON fails in one line naming what is wrong', (t) => {
  const oneLine = (fn: () => unknown, pattern: RegExp) => {
    const error = t.throws(fn);
    t.regex(error!.message, pattern);
    t.false(error!.message.includes('\n'));
  };
  oneLine(() => parseIpLink('Object "link" is unknown'), /^ip -d -j link show: not JSON/);
  oneLine(() => parseIpLink('{}'), /expected a JSON array/);
  oneLine(() => parseIpLink('[{"mtu":1500}]'), /entry 0 has no ifname/);
  oneLine(() => parseIpLink('[{"ifname":"eth0","mtu":"big"}]'), /eth0 has no valid mtu/);
  oneLine(() => parseIpLink('[{"ifname":"vx0","mtu":1500,"linkinfo":{"info_kind":"vxlan"}}]'), /vxlan vx0 has no info_data/);
  oneLine(() => parseIpLink('[{"ifname":"vx0","mtu":1500,"linkinfo":{"info_kind":"vxlan","info_data":{}}}]'), /vxlan vx0 has no valid id/);
  oneLine(() => parseRouteDevice('[]'), /^ip -j route get: the route names no dev/);
  oneLine(() => parseRouteDevice('RTNETLINK answers: Network is unreachable'), /^ip -j route get: not JSON/);
});
