import test from 'ava';
import { randomBytes } from 'node:crypto';
import { runPmtuSweep } from '../../agent/probe/runPmtuSweep.js';
import { openUdpResponder } from '../../agent/probe/udpResponder.js';

const key = () => randomBytes(16).toString('hex');

test('a peer sweep over loopback finds the largest IPv4 packet, proved by acks', async (t) => {
  const keyHex = key();
  const responder = await openUdpResponder({ bindAddress: '127.0.0.1', keyHex, ttlMs: 30_000 });
  t.teardown(() => responder.close());
  const result = await runPmtuSweep({ v: 1, mode: 'peer', target: { address: '127.0.0.1', port: responder.port, keyHex }, maxRounds: 24 });
  t.true(result.reachable);
  // lo's MTU is 65536, but an IPv4 total length field stops at 65535.
  t.is(result.deviceMtuBytes, 65535);
  t.is(result.largestOkBytes, 65535);
  t.is(result.smallestFailBytes, 65536);
  t.true(result.complete);
  t.true(result.probes.some((p) => p.sizeBytes === 65535 && p.outcome === 'passed' && p.receivedBytes === 65535));
});

test('a peer sweep toward something that does not hold the key sends only the small handshake probes', async (t) => {
  const responder = await openUdpResponder({ bindAddress: '127.0.0.1', keyHex: key(), ttlMs: 30_000 });
  t.teardown(() => responder.close());
  const result = await runPmtuSweep({ v: 1, mode: 'peer', target: { address: '127.0.0.1', port: responder.port, keyHex: key() }, maxRounds: 24 });
  t.false(result.reachable);
  t.is(result.largestOkBytes, null);
  t.is(result.probesSent, 6);
  t.true(result.probes.every((p) => p.sizeBytes === 68 && p.outcome === 'silent'));
  t.is(responder.probesAnswered, 0);
});
