import test from 'ava';
import { parseDuration, parseStreams, parseThroughputOptions } from '../../controller/throughput/parseThroughputOptions.js';

test('stream counts are parsed, sorted and de-duplicated', (t) => {
  t.deepEqual(parseStreams('16,1,4,4,2'), [1, 2, 4, 16]);
});

test('zero streams, junk and more streams than iperf3 allows are refused with the reason', (t) => {
  t.throws(() => parseStreams('0,4'), { message: /"0" is not a stream count of 1 or more/ });
  t.throws(() => parseStreams('1,x'), { message: /"x" is not a stream count/ });
  t.throws(() => parseStreams('1,129'), { message: /129 is more than the limit of 128 parallel streams/ });
});

test('durations take s, ms and m, and must be positive and bounded', (t) => {
  t.is(parseDuration('10s', '--duration', 1000), 10_000);
  t.is(parseDuration('1.5s', '--duration', 1000), 1500);
  t.is(parseDuration('2500ms', '--duration', 1000), 2500);
  t.is(parseDuration('2m', '--duration', 1000), 120_000);
  t.is(parseDuration('3', '--duration', 1000), 3000);
  t.throws(() => parseDuration('-5s', '--duration', 1000), { message: /--duration "-5s" must be at least 1 s/ });
  t.throws(() => parseDuration('soon', '--duration', 1000), { message: /not a duration/ });
  t.throws(() => parseDuration('1h', '--duration', 1000), { message: /not a duration/ });
  t.throws(() => parseDuration('5m', '--duration', 1000), { message: /at most 240 s/ });
});

test('an unknown direction and a bad repeat count are refused', (t) => {
  t.throws(() => parseThroughputOptions({ streams: '1', duration: '1s', repeats: 1, direction: 'sideways' }), { message: /--direction "sideways" must be one of forward, reverse, both/ });
  t.throws(() => parseThroughputOptions({ streams: '1', duration: '1s', repeats: 0, direction: 'both' }), { message: /--repeats 0 must be an integer from 1 to 20/ });
  t.deepEqual(parseThroughputOptions({ streams: '4,1', duration: '2s', repeats: 3, direction: 'both' }), {
    streams: [1, 4], durationMs: 2000, repeats: 3, directions: ['forward', 'reverse'],
  });
});
