import test, { type ExecutionContext } from 'ava';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { runFlowSweeps } from '../../agent/probe/runFlowSweeps.js';
import { buildAck, parseProbePayload } from '../../agent/probe/probePackets.js';

const BIG_BYTES = 2000;

/**
 * A responder over 127.0.0.1 that ignores every probe above 2000 B from the first flow (source
 * port) it hears, as a path capped there would, and acks everything else. With `busyOnlyOnce`,
 * it does so only during that flow's first sweep: a new transport on the same port starts its
 * probe sequence again at 1, and from then on that flow's big probes are acked too, as when a
 * peer that was too busy to answer has caught up.
 */
async function capOneFlow(t: ExecutionContext, keyHex: string, busyOnlyOnce: boolean): Promise<number> {
  const socket = dgram.createSocket('udp4');
  t.teardown(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const key = Buffer.from(keyHex, 'hex');
  let capped: number | null = null;
  let lastSeq = 0;
  let recovered = false;
  socket.on('message', (msg, rinfo) => {
    const probe = parseProbePayload(msg.subarray(0));
    if (probe === null || !probe.key.equals(key)) return;
    capped ??= rinfo.port;
    if (rinfo.port === capped) {
      if (busyOnlyOnce && probe.seq < lastSeq) recovered = true;
      lastSeq = probe.seq;
      if (msg.length + 28 > BIG_BYTES && !recovered) return;
    }
    socket.send(buildAck({ seq: probe.seq, receivedBytes: msg.length + 28, key }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket.address().port;
}

const request = (port: number, keyHex: string, flows: number) =>
  ({ v: 1, mode: 'peer' as const, target: { address: '127.0.0.1', port, keyHex }, maxRounds: 24, flows });

test('a flow that read smaller only because its peer was busy is asked again over its own 5-tuple, and its reading does not stand', async (t) => {
  const keyHex = randomBytes(16).toString('hex');
  const port = await capOneFlow(t, keyHex, true);
  const result = await runFlowSweeps(request(port, keyHex, 4));
  t.is(result.largestOkBytes, 65535, 'every flow carries the whole loopback MTU');
  const reswept = result.flows?.filter((f) => f.resweptFrom !== undefined) ?? [];
  t.is(reswept.length, 1);
  t.is(reswept[0]?.resweptFrom?.largestOkBytes, BIG_BYTES, 'the first reading is kept as evidence');
  t.is(reswept[0]?.largestOkBytes, 65535);
  t.true(result.flows?.every((f) => f.trace === undefined), 'flows that agree are not traced');
  t.is(result.probes.length, result.probesSent, 'the probes of both sweeps are in the log');
});

test('a flow that really carries less keeps its reading, and every flow is traced over its own port', async (t) => {
  const keyHex = randomBytes(16).toString('hex');
  const port = await capOneFlow(t, keyHex, false);
  const result = await runFlowSweeps(request(port, keyHex, 4));
  t.is(result.largestOkBytes, BIG_BYTES, 'the size safe for any connection');
  t.deepEqual(result.flows?.map((f) => f.largestOkBytes).sort(), [2000, 65535, 65535, 65535]);
  t.true(result.flows?.every((f) => f.resweptFrom === undefined));
  t.true(result.flows?.every((f) => f.complete), 'the ask-again round is the capped flow\'s third failing round at its boundary');
  // Over loopback there is no router: a TTL-1 probe already reaches the peer.
  t.deepEqual(result.flows?.map((f) => f.trace), new Array(4).fill({ hops: [], reachedAtHop: 1 }));
  t.deepEqual(new Set(result.flows?.map((f) => f.sourcePort)).size, 4, 'four flows, four source ports');
});
