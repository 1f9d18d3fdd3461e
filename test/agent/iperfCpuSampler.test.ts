import test from 'ava';
import { maxCorePercent, parseCoreTimes } from '../../agent/iperf/cpuSampler.js';

const BEFORE = [
  'cpu  300 0 100 1600 0 0 0 0 0 0',
  'cpu0 100 0 50 850 0 0 0 0 0 0',
  'cpu1 200 0 50 750 0 0 0 0 0 0',
  'intr 1 2 3',
].join('\n');
// cpu0: 100 of 100 jiffies busy (40 user, 10 system, 50 softirq); cpu1: 20 busy, 70 idle, 10 iowait.
const AFTER = [
  'cpu  ...',
  'cpu0 140 0 60 850 0 0 50 0 0 0',
  'cpu1 210 0 60 820 10 0 0 0 0 0',
].join('\n');

test('per-core busy and total jiffies come from the cpuN lines only, iowait counted as idle', (t) => {
  t.deepEqual(parseCoreTimes(BEFORE), [{ busy: 150, total: 1000 }, { busy: 250, total: 1000 }]);
});

test('the busiest core counts softirq as busy', (t) => {
  t.is(maxCorePercent(parseCoreTimes(BEFORE), parseCoreTimes(AFTER)), 100);
});

test('no elapsed jiffies gives no figure rather than a division by zero', (t) => {
  const times = parseCoreTimes(BEFORE);
  t.is(maxCorePercent(times, times), null);
});
