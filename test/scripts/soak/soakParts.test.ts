import test from 'ava';
import { UsageError } from '../../../scripts/bench/runBench.js';
import { countSockets, parentPidFromStat, rssBytesFromStatus } from '../../../scripts/soak/procStats.js';
import { soakOptions } from '../../../scripts/soak/soakFlags.js';
import { operationAt, sampleEvery } from '../../../scripts/soak/soakSchedule.js';

test('VmRSS is read from /proc/PID/status in bytes; none for a zombie', (t) => {
  const status = 'Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 1034040 kB\nVmRSS:\t   73216 kB\nRssAnon:\t   40000 kB\n';
  t.is(rssBytesFromStatus(status), 73216 * 1024);
  t.is(rssBytesFromStatus('Name:\tiperf3\nState:\tZ (zombie)\n'), null);
});

test('sockets are the fd links of the form socket:[inode]', (t) => {
  t.is(countSockets(['/dev/null', 'socket:[123]', 'pipe:[9]', 'anon_inode:[eventpoll]', 'socket:[456]', '']), 2);
});

test('the parent PID is read after the last parenthesis, whatever the command name holds', (t) => {
  t.is(parentPidFromStat('4242 (iperf3) S 4100 4242 4100 0 -1 4194560 120'), 4100);
  t.is(parentPidFromStat('77 (a) b (c)) R 12 77 1 0'), 12);
  t.is(parentPidFromStat('garbage'), null);
});

test('cells are spread evenly among the sweeps, every operation once', (t) => {
  const ops = Array.from({ length: 110 }, (_, op) => operationAt(op, 100, 10));
  const cells = ops.flatMap((o, op) => (o.kind === 'cell' ? [op] : []));
  t.deepEqual(ops.filter((o) => o.kind === 'cell').map((o) => o.index), [...Array(10).keys()]);
  t.deepEqual(ops.filter((o) => o.kind === 'sweep').map((o) => o.index), [...Array(100).keys()]);
  // One cell in each eleventh of the run.
  t.deepEqual(cells.map((op) => Math.floor(op / 11)), [...Array(10).keys()]);
  t.true(Array.from({ length: 20 }, (_, op) => operationAt(op, 20, 0)).every((o) => o.kind === 'sweep'));
  t.true(Array.from({ length: 20 }, (_, op) => operationAt(op, 0, 20)).every((o) => o.kind === 'cell'));
});

test('samples every so many operations, at least every operation', (t) => {
  t.is(sampleEvery(2200, 40), 55);
  t.is(sampleEvery(10, 40), 1);
});

const flags = (values: Record<string, string>, { quick = false, json = false } = {}) => soakOptions({ quick, values, booleans: { json } });

test('soak flags: defaults, --quick, explicit counts, and usage errors', (t) => {
  t.deepEqual(flags({}), { sweeps: 2000, cells: 200, flows: 1, json: false });
  t.deepEqual(flags({}, { quick: true, json: true }), { sweeps: 200, cells: 20, flows: 1, json: true });
  t.deepEqual(flags({ sweeps: '150', cells: '12', flows: '4' }, { quick: true }), { sweeps: 150, cells: 12, flows: 4, json: false });
  t.throws(() => flags({ sweeps: 'many' }), { instanceOf: UsageError, message: '--sweeps must be a whole number from 0 to 1000000, not "many"' });
  t.throws(() => flags({ flows: '0' }), { instanceOf: UsageError });
  t.throws(() => flags({ sweeps: '5', cells: '5' }), { instanceOf: UsageError, message: /at least 20/ });
});
