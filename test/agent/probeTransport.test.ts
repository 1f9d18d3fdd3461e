import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openProbeTransport } from '../../agent/probe/probeTransport.js';
import { openUdpResponder } from '../../agent/probe/udpResponder.js';

// Real raw sockets on loopback only (MTU 65536). Serial: the socket-count check must not see
// another test's sockets.

const LOOPBACKS = ['127.0.0.1', '::1'] as const;
const TIMEOUT_MS = 300;

const newKey = (): string => randomBytes(16).toString('hex');

function openSocketCount(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false; // the fd of readdir itself is gone by now
    }
  }).length;
}

for (const address of LOOPBACKS) {
  test.serial(`peer mode over ${address}: every size passes with receivedBytes = size`, async (t) => {
    const keyHex = newKey();
    const responder = await openUdpResponder({ bindAddress: address, keyHex, ttlMs: 30_000 });
    t.teardown(() => responder.close());
    const transport = await openProbeTransport({ target: { mode: 'peer', address, port: responder.port, keyHex, sourceAddress: address } });
    t.teardown(() => transport.close());
    t.is(transport.family, address === '::1' ? 6 : 4);

    const reports = await transport.sendRound([1500, 9000, 1280], TIMEOUT_MS);
    t.deepEqual(reports.map((r) => r.sizeBytes), [1500, 9000, 1280]);
    for (const r of reports) {
      t.is(r.outcome, 'passed');
      t.is(r.receivedBytes, r.sizeBytes);
      t.true(r.rttMs !== null && r.rttMs >= 0 && r.rttMs < TIMEOUT_MS);
      t.is(r.error, null);
    }
    t.deepEqual(reports.map((r) => r.seq), [1, 2, 3]);
    t.true(reports[1]!.sentAtMs > reports[0]!.sentAtMs);
    t.is(responder.probesAnswered, 3);
  });

  test.serial(`peer mode over ${address}: a wrong key gets no ack`, async (t) => {
    const responder = await openUdpResponder({ bindAddress: address, keyHex: newKey(), ttlMs: 30_000 });
    t.teardown(() => responder.close());
    const transport = await openProbeTransport({ target: { mode: 'peer', address, port: responder.port, keyHex: newKey(), sourceAddress: address } });
    t.teardown(() => transport.close());

    const started = performance.now();
    const [report] = await transport.sendRound([1500], 150);
    t.like(report, { outcome: 'silent', rttMs: null, receivedBytes: null, icmp: null, error: null });
    t.true(performance.now() - started >= 140, 'a silent round lasts its timeout');
    t.is(responder.probesAnswered, 0);
  });

  test.serial(`echo mode to ${address} passes`, async (t) => {
    const transport = await openProbeTransport({ target: { mode: 'echo', address } });
    t.teardown(() => transport.close());
    t.not(transport.echoId, null);
    const reports = await transport.sendRound([9000, 1500, 100], TIMEOUT_MS);
    t.deepEqual(reports.map((r) => [r.sizeBytes, r.outcome, r.receivedBytes]), [
      [9000, 'passed', 9000],
      [1500, 'passed', 1500],
      [100, 'passed', 100],
    ]);
  });
}

test.serial('above the device MTU a device-bound transport reports too-big-local (IPv6 on lo: 65575 > 65536)', async (t) => {
  // IPv4 cannot exceed lo's 65536 (its total length is 16 bits); an IPv6 packet of 65535 payload bytes can.
  const keyHex = newKey();
  const responder = await openUdpResponder({ bindAddress: '::1', keyHex, ttlMs: 30_000 });
  t.teardown(() => responder.close());
  const transport = await openProbeTransport({ target: { mode: 'peer', address: '::1', port: responder.port, keyHex, sourceAddress: '::1' }, device: 'lo' });
  t.teardown(() => transport.close());

  const [tooBig, fits] = await transport.sendRound([65_575, 65_536], TIMEOUT_MS);
  t.like(tooBig, { outcome: 'too-big-local', error: 'Message too long', rttMs: null, receivedBytes: null });
  t.like(fits, { outcome: 'passed', receivedBytes: 65_536 });
});

test.serial('answers to an earlier round are ignored; seq never repeats', async (t) => {
  const keyHex = newKey();
  const responder = await openUdpResponder({ bindAddress: '127.0.0.1', keyHex, ttlMs: 30_000 });
  t.teardown(() => responder.close());
  const transport = await openProbeTransport({ target: { mode: 'peer', address: '127.0.0.1', port: responder.port, keyHex } });
  t.teardown(() => transport.close());

  // A zero timeout ends the round while its acks may still be on the way.
  const first = await transport.sendRound(Array.from({ length: 20 }, () => 9000), 0);
  const second = await transport.sendRound([1500, 1500], TIMEOUT_MS);
  t.deepEqual(first.map((r) => r.seq), Array.from({ length: 20 }, (_, i) => i + 1));
  t.deepEqual(second.map((r) => [r.seq, r.outcome, r.receivedBytes]), [
    [21, 'passed', 1500],
    [22, 'passed', 1500],
  ]);
});

test.serial('one round at a time; bad sizes are rejected; close is idempotent', async (t) => {
  const transport = await openProbeTransport({ target: { mode: 'echo', address: '127.0.0.1' } });
  t.teardown(() => transport.close());
  const running = transport.sendRound([1500], TIMEOUT_MS);
  await t.throwsAsync(transport.sendRound([1500], TIMEOUT_MS), { message: /already in progress/ });
  await running;
  await t.throwsAsync(transport.sendRound([27], TIMEOUT_MS), { instanceOf: RangeError });
  await t.throwsAsync(transport.sendRound([65_536], TIMEOUT_MS), { instanceOf: RangeError });
  t.deepEqual(await transport.sendRound([], TIMEOUT_MS), []);

  const silentRound = transport.sendRound([1500], 10_000);
  await transport.close();
  await transport.close();
  await t.throwsAsync(silentRound, { message: /closed during a round/ });
  await t.throwsAsync(transport.sendRound([1500], TIMEOUT_MS), { message: /closed/ });
});

test.serial('a bad device name throws a clear error and leaves no socket open', async (t) => {
  const before = openSocketCount();
  const error = await t.throwsAsync(openProbeTransport({ target: { mode: 'echo', address: '127.0.0.1' }, device: 'ppnope0' }));
  t.regex(error?.message ?? '', /^cannot open echo probe transport to 127\.0\.0\.1: bind to device "ppnope0": No such device$/);
  t.is((error?.cause as Error | undefined)?.message, 'No such device');
  t.is(openSocketCount(), before);

  const peerError = await t.throwsAsync(
    openProbeTransport({ target: { mode: 'peer', address: '::1', port: 9, keyHex: newKey(), sourceAddress: '::1' }, device: 'ppnope0' }),
  );
  t.regex(peerError?.message ?? '', /No such device$/);
  t.is(openSocketCount(), before);
});

test.serial('a process whose open failed still exits by itself', async (t) => {
  // A leaked raw-socket poll handle would keep this child alive until the kill timeout.
  const transportModule = fileURLToPath(new URL('../../agent/probe/probeTransport.js', import.meta.url));
  const script = `
    import { openProbeTransport } from ${JSON.stringify(transportModule)};
    try { await openProbeTransport({ target: { mode: 'echo', address: '127.0.0.1' }, device: 'ppnope0' }); }
    catch (e) { console.log(e.message); }`;
  const result = await new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (_error, stdout) =>
      resolve({ code: child.exitCode, signal: child.signalCode, stdout }),
    );
  });
  t.is(result.signal, null, 'killed by the timeout: something kept the event loop alive');
  t.is(result.code, 0);
  t.regex(result.stdout, /No such device/);
});

for (const address of LOOPBACKS) {
  test.serial(`over ${address}, a flow's 5-tuple can be reused: the same source port (and IPv6 flow label), and a TTL-1 probe already reaches a local peer`, async (t) => {
    const keyHex = newKey();
    const responder = await openUdpResponder({ bindAddress: address, keyHex, ttlMs: 30_000 });
    t.teardown(() => responder.close());
    const first = await openProbeTransport({ target: { mode: 'peer', address, port: responder.port, keyHex, sourceAddress: address } });
    const { sourcePort, flowLabel } = first;
    await first.close();
    t.is(flowLabel === null, address === '127.0.0.1', 'IPv6 probes carry a label of their own');
    const again = await openProbeTransport({
      target: { mode: 'peer', address, port: responder.port, keyHex, sourceAddress: address, sourcePort: sourcePort!, ...(flowLabel === null ? {} : { flowLabel }) },
    });
    t.teardown(() => again.close());
    t.is(again.sourcePort, sourcePort);
    t.is(again.flowLabel, flowLabel);
    const reports = await again.sendTtlRound([1, 2], 72, TIMEOUT_MS);
    t.deepEqual(reports.map((r) => [r.hopLimit, r.reached, r.from]), [[1, true, null], [2, true, null]]);
    const [sweep] = await again.sendRound([1500], TIMEOUT_MS);
    t.is(sweep?.outcome, 'passed', 'a sweep probe after a trace round leaves with the default TTL again');
    await t.throwsAsync(again.sendTtlRound([0], 72, TIMEOUT_MS), { instanceOf: RangeError });
  });
}
