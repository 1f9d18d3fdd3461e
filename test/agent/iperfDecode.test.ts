import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyIperfFailure, decodeIperfJson, parseIperfJson } from '../../agent/iperf/decodeIperfJson.js';
import type { IperfFailureClass } from '../../proto/throughput.js';
import { FIXTURES } from '../helpers/repoPaths.js';

const IPERF_FIXTURES = join(FIXTURES, 'iperf');

/** A captured client run: its stdout and, where there was any, its stderr (see test/fixtures/iperf/README.md). */
function fixture(name: string, stdoutFile = `${name}.json`): { stdout: string; stderr: string } {
  const stderrPath = join(IPERF_FIXTURES, `${name}.stderr.txt`);
  return {
    stdout: readFileSync(join(IPERF_FIXTURES, stdoutFile), 'utf8'),
    stderr: existsSync(stderrPath) ? readFileSync(stderrPath, 'utf8') : '',
  };
}

function decodeFixture(name: string, facts: { timedOut?: boolean } = {}) {
  const { stdout, stderr } = fixture(name);
  return decodeIperfJson(stdout, { stderr, ...facts });
}

test('a normal -P 2 run decodes every field and has no failure', (t) => {
  const decoded = decodeFixture('normal-p2');
  t.is(decoded.failure, null);
  t.true((decoded.bytesSent ?? 0) > 0);
  t.true((decoded.bytesReceived ?? 0) > 0);
  t.true((decoded.bitsPerSecondReceived ?? 0) > 0);
  t.is(typeof decoded.retransmits, 'number');
  t.true(Number.isInteger(decoded.retransmits));
  t.true((decoded.senderCpuPercent ?? 0) > 0);
  t.true((decoded.receiverCpuPercent ?? 0) > 0);
  t.is(decoded.congestionControl, 'cubic');
});

test('omitted intervals are left out of the interval rates', (t) => {
  const { stdout } = fixture('normal-p2');
  const json = JSON.parse(stdout) as { intervals: Array<{ sum: { omitted: boolean } }> };
  const measured = json.intervals.filter((interval) => !interval.sum.omitted).length;
  t.true(json.intervals.length > measured, 'the capture was made with -O 1');
  const decoded = decodeIperfJson(stdout);
  t.is(decoded.intervalBitsPerSecond.length, measured);
  t.true(decoded.intervalBitsPerSecond.every((bitsPerSecond) => bitsPerSecond > 0));
});

test('a -M 1460 run decodes as a measurement', (t) => {
  const decoded = decodeFixture('mss-1460');
  t.is(decoded.failure, null);
  t.true((decoded.bitsPerSecondReceived ?? 0) > 0);
});

test('default MSS through a silent 1500 cap is stalled: no error, bytes sent, none received', (t) => {
  const decoded = decodeFixture('stalled');
  t.is(decoded.failure?.class, 'stalled');
  t.regex(decoded.failure?.message ?? '', /492992 bytes sent, none received/);
  t.is(decoded.bytesReceived, 0);
  t.true((decoded.retransmits ?? 0) > 0);
});

test('a stall whose bytes all went out in the omitted warm-up is still stalled', (t) => {
  const decoded = decodeFixture('stalled-with-omit');
  t.is(decoded.bytesSent, 0);
  t.is(decoded.failure?.class, 'stalled');
  t.regex(decoded.failure?.message ?? '', /492992 bytes sent, none received, 1 retransmits/);
});

test('the same capped pair with -M 1460 is not stalled', (t) => {
  t.is(decodeFixture('stalled-mss-1460-works').failure, null);
});

const errorCases: Array<[string, IperfFailureClass, RegExp]> = [
  ['refused', 'refused', /Connection refused/],
  ['busy', 'busy', /server is busy/],
  ['connect-timeout', 'connect-timeout', /timed out/],
  ['interrupt', 'timeout', /interrupt - the client has terminated/],
  ['server-terminated', 'server-terminated', /server has terminated/],
  ['msgsize', 'msgsize', /Message too long/],
  ['idle-timeout', 'idle-timeout', /idle timeout/],
  ['control-channel', 'control-channel', /unable to send control message/],
  ['control-hang-interrupt', 'timeout', /interrupt/],
];
for (const [name, failureClass, message] of errorCases) {
  test(`the ${name} capture is classified ${failureClass} with iperf3's message`, (t) => {
    const decoded = decodeFixture(name);
    t.is(decoded.failure?.class, failureClass);
    t.regex(decoded.failure?.message ?? '', message);
  });
}

test('a parameter error has no JSON and is classified from stderr in one line', (t) => {
  const { stdout, stderr } = fixture('param-error', 'param-error.stdout.txt');
  t.is(parseIperfJson(stdout), null);
  const decoded = decodeIperfJson(stdout, { stderr });
  t.deepEqual(decoded.failure, {
    class: 'param-error',
    message: 'iperf3: parameter error - TCP MSS too large (maximum = 9216 bytes)',
  });
  t.is(decoded.bytesSent, null);
  t.deepEqual(decoded.intervalBitsPerSecond, []);
});

test('an error with bytes sent and none received is not a stall: the results exchange was lost', (t) => {
  for (const name of ['interrupt', 'server-terminated', 'control-hang-interrupt']) {
    const decoded = decodeFixture(name);
    t.true((decoded.bytesSent ?? 0) > 0, name);
    t.is(decoded.bytesReceived, 0, name);
    t.not(decoded.failure?.class, 'stalled', name);
  }
});

test('early failures with an empty end decode to nulls, not zeros', (t) => {
  const decoded = decodeFixture('control-channel');
  t.is(decoded.bytesSent, null);
  t.is(decoded.bytesReceived, null);
  t.is(decoded.retransmits, null);
  t.is(decoded.congestionControl, null);
});

test('our deadline firing is timeout whatever iperf3 printed', (t) => {
  t.is(decodeFixture('normal-p2', { timedOut: true }).failure?.class, 'timeout');
  t.is(classifyIperfFailure({ json: null, stderr: '', timedOut: true, aborted: false })?.class, 'timeout');
});

test('the exit code plays no part: an error under exit 0 is still a failure', (t) => {
  // refused.json came with exit 0; classify never sees an exit code at all.
  t.is(decodeFixture('refused').failure?.class, 'refused');
});

test('garbage and wrongly typed JSON decode without throwing', (t) => {
  const inputs = [
    '', 'not json', '{', '[]', 'null', '42', '{"end": "x", "intervals": 5}',
    '{"end": {"sum_sent": {"bytes": "12"}, "sum_received": null}, "intervals": [null, 3, {"sum": {"bits_per_second": "x"}}]}',
    '{"error": 17}',
  ];
  for (const input of inputs) {
    t.notThrows(() => decodeIperfJson(input), input);
    const result = decodeIperfJson(input);
    t.is(result.bytesSent, null, input);
    t.deepEqual(result.intervalBitsPerSecond, [], input);
    t.not(result.failure, null, input);
  }
});

test('output with no JSON and no parameter error is other, with stderr in the message', (t) => {
  const failure = classifyIperfFailure({ json: null, stderr: 'iperf3: error - something odd\n', timedOut: false, aborted: false });
  t.deepEqual(failure, { class: 'other', message: 'no JSON output: iperf3: error - something odd' });
});

test('an unknown error string is other and keeps the message', (t) => {
  const failure = classifyIperfFailure({ json: { error: 'unable to create a new stream: Too many open files' }, stderr: '', timedOut: false, aborted: false });
  t.deepEqual(failure, { class: 'other', message: 'unable to create a new stream: Too many open files' });
});

test('every stream\'s own byte counts are kept, so a stream that stalls among flowing ones can be told apart', (t) => {
  const normal = decodeFixture('normal-p2');
  t.is(normal.perStream?.length, 2);
  for (const s of normal.perStream ?? []) t.true((s.bytesSent ?? 0) > 0 && (s.bytesReceived ?? 0) > 0);
  const stalled = decodeFixture('stalled');
  t.deepEqual(stalled.perStream?.map((s) => s.bytesReceived), [0]);
  t.true((stalled.perStream?.[0]?.bytesSent ?? 0) > 0);
  t.deepEqual(decodeIperfJson('not json').perStream, [], 'no JSON: no streams, nothing invented');
});
