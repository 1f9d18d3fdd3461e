import test from 'ava';
import { canonicalAddress, isLoopbackOrLinkLocal } from '../../proto/ipAddress.js';

test('addresses compare in one spelling', (t) => {
  t.is(canonicalAddress('2001:2:0:0::1'), '2001:2::1');
  t.is(canonicalAddress('2001:0002:0000:000B:0000:0000:0000:0002'), '2001:2:0:b::2');
  t.is(canonicalAddress('198.18.0.1'), '198.18.0.1');
  t.is(canonicalAddress('fe80::1%eth0'), 'fe80::1%eth0');
});

test('an IPv6 address in capitals or with a zone id keeps one spelling, without brackets', (t) => {
  t.is(canonicalAddress('2001:DB8::1'), '2001:db8::1');
  t.is(canonicalAddress('FE80:0:0::1%eth0'), 'fe80::1%eth0');
  t.is(canonicalAddress('not an address'), 'not an address');
});

test('loopback addresses are never tested', (t) => {
  for (const address of ['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
    t.true(isLoopbackOrLinkLocal(address), address);
  }
});

test('every link-local address is never tested, from fe80:: to febf::, with or without a zone', (t) => {
  for (const address of ['169.254.0.1', '169.254.255.255', 'fe80::1', 'FE80::1', 'fe80::1%eth0', 'fe9a::1', 'feab:1::2', 'febf:ffff::1']) {
    t.true(isLoopbackOrLinkLocal(address), address);
  }
});

test('global and private addresses next to those ranges are tested', (t) => {
  for (const address of ['198.18.1.1', '10.0.0.1', '128.0.0.1', '126.255.255.255', '169.253.255.255', '169.255.0.1', '2001:2::1', 'fec0::1', 'fe7f::1', 'fc00::1', '::2']) {
    t.false(isLoopbackOrLinkLocal(address), address);
  }
});

test('something that is not an address is not called loopback', (t) => {
  t.false(isLoopbackOrLinkLocal('localhost'));
  t.false(isLoopbackOrLinkLocal(''));
});
