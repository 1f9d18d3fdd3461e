import test from 'ava';
import { throughputRows } from '../../controller/throughput/throughputRows.js';
import { goodputFraction, maxGoodputBitsPerSecond, segmentPayloadBytes } from '../../controller/throughput/throughputGoodput.js';
import { coefficientOfVariation, median, relativeSpread } from '../../controller/model/sampleStats.js';

test('9000-byte NICs with a 4470 path give a 1500, a jumbo and a path row, in that order', (t) => {
  const rows = throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: 4470 });
  t.deepEqual(rows, [
    { row: '1500', mssBytes: 1460, mtuBytes: 1500, label: '1500' },
    { row: 'jumbo', mssBytes: null, mtuBytes: 9000, label: 'jumbo 9000' },
    { row: 'path', mssBytes: 4430, mtuBytes: 4470, label: 'path 4470' },
  ]);
});

test('IPv6 rows clamp the MSS to 1440 and to the path MTU minus 60', (t) => {
  const rows = throughputRows({ family: 6, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: 4470 });
  t.deepEqual(rows.map((r) => r.mssBytes), [1440, null, 4410]);
});

test('NICs at 1500 give only the 1500 row', (t) => {
  const rows = throughputRows({ family: 4, senderNicMtuBytes: 1500, receiverNicMtuBytes: 1500, pathMtuBytes: 1500 });
  t.deepEqual(rows.map((r) => r.row), ['1500']);
});

test('a path MTU equal to the NIC MTU adds no path row, and an unknown path MTU neither', (t) => {
  t.deepEqual(throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: 9000 }).map((r) => r.row), ['1500', 'jumbo']);
  t.deepEqual(throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: null }).map((r) => r.row), ['1500', 'jumbo']);
});

test('the jumbo row takes the smaller NIC MTU, never an assumed 9000', (t) => {
  const rows = throughputRows({ family: 4, senderNicMtuBytes: 9216, receiverNicMtuBytes: 4000, pathMtuBytes: 4000 });
  t.deepEqual(rows.map((r) => r.label), ['1500', 'jumbo 4000']);
  t.is(rows[1]!.mtuBytes, 4000);
});

test('a path MTU at or below 1500 adds no path row', (t) => {
  t.deepEqual(throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: 1500 }).map((r) => r.row), ['1500', 'jumbo']);
});

test('the most goodput a link carries is 94.1 % at MTU 1500 and 99.0 % at 9000 (IPv4, timestamps on)', (t) => {
  t.is(segmentPayloadBytes(1500, 4), 1448);
  t.is(segmentPayloadBytes(9000, 4), 8948);
  t.is(goodputFraction(1500, 4).toFixed(4), '0.9415');
  t.is(goodputFraction(9000, 4).toFixed(4), '0.9900');
  t.is(goodputFraction(1500, 6).toFixed(4), (1428 / 1538).toFixed(4));
  t.is(Math.round(maxGoodputBitsPerSecond(10_000, 1500, 4)), Math.round(10e9 * 1448 / 1538));
  t.is(Math.round(maxGoodputBitsPerSecond(1000, 9000, 4) / 1e6), 990);
});

test('the median of an odd sample is its middle value and of an even sample the mean of the two middle ones', (t) => {
  t.is(median([1.91, 1.86, 1.9]), 1.9);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.is(median([]), null);
});

test('the relative spread is (max − min) / median and the CoV is sample sd / mean', (t) => {
  t.is(relativeSpread([1.9, 2.0, 2.1])!.toFixed(4), '0.1000');
  t.is(relativeSpread([5]), 0);
  t.is(relativeSpread([]), null);
  t.is(coefficientOfVariation([10, 10, 10]), 0);
  t.is(coefficientOfVariation([9, 11])!.toFixed(4), (Math.SQRT2 / 10).toFixed(4));
  t.is(coefficientOfVariation([10]), null);
});
