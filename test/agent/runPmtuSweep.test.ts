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
  // Every handshake attempt (2 probes each, waiting longer and longer) and nothing else.
  t.is(result.probesSent, result.handshake!.probesSent);
  t.is(result.handshake!.probesSent, 2 * result.handshake!.attempts);
  t.is(result.handshake!.answered, 0);
  t.true(result.probes.every((p) => p.sizeBytes === 68 && p.outcome === 'silent'));
  // The host itself (loopback) is there: only the responder stayed silent toward this key.
  t.true(result.handshake!.hostAnsweredEcho);
  // Loopback resolves no neighbours, so a missing entry there says nothing about a full table.
  t.is(result.handshake!.neighbourEntry, null);
  t.is(responder.probesAnswered, 0);
});
