import test from 'ava';
import { IperfRunResult, type IperfProcessResult } from '../../proto/throughput.js';
import { summarizeRun } from '../../controller/throughput/throughputRun.js';
import { summarizeCell, type ThroughputCellRepeat } from '../../controller/throughput/throughputCell.js';
import { throughputRows } from '../../controller/throughput/throughputRows.js';

const G = 1e9;
const [row1500, rowJumbo] = throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: null });

/** One iperf3 process of a 3 s run at `gbps`, cubic, small CPU (a tbf/ECMP cell, docs/namespace-lab.md, "Routers, black holes, loss, rates"). */
function proc(gbps: number, o: Partial<IperfProcessResult> = {}): IperfProcessResult {
  return {
    port: 5201, streams: 1, failure: null,
    bytesSent: Math.round(gbps * G * 3 / 8), bytesReceived: Math.round(gbps * G * 3 / 8),
    bitsPerSecondReceived: gbps * G, retransmits: 0, senderCpuPercent: 5, receiverCpuPercent: 10,
    intervalBitsPerSecond: [gbps * G, gbps * G, gbps * G], congestionControl: 'cubic', timedOut: false, ...o,
  };
}
function run(processes: IperfProcessResult[], o: Partial<IperfRunResult> = {}): IperfRunResult {
  return IperfRunResult.parse({ v: 1, iperfVersion: '3.12', processes, mssBytesObserved: 1448, maxCorePercent: 20, elapsedMs: 4000, ...o });
}
const stalledProc = (): IperfProcessResult => proc(0, {
  failure: { class: 'stalled', message: 'bytes sent, none received' },
  bytesSent: 492_992, bytesReceived: 0, bitsPerSecondReceived: 0, retransmits: 5, intervalBitsPerSecond: [1.3e6, 0, 0],
});
const repeats = (results: IperfRunResult[]): ThroughputCellRepeat[] => results.map((result, i) => ({ repeat: i + 1, result }));
const cellOf = (results: ThroughputCellRepeat[], linkSpeedMbps: number | null = null, row = row1500!) =>
  summarizeCell(results, { row, streams: 4, family: 4, linkSpeedMbps });

test('a run sums received rate, bytes and retransmits over its processes and keeps the highest CPU', (t) => {
  const s = summarizeRun(run([
    proc(0.95, { port: 5201, streams: 2, retransmits: 1000, senderCpuPercent: 6, receiverCpuPercent: 30 }),
    proc(0.96, { port: 5202, streams: 2, retransmits: 1100, senderCpuPercent: 9, receiverCpuPercent: 12 }),
  ]));
  t.true(s.ok);
  t.is(s.failureClass, null);
  t.is(s.processes, 2);
  t.is(s.streams, 4);
  t.is(Math.round(s.bitsPerSecondReceived! / 1e6), 1910);
  t.is(s.retransmits, 2100);
  t.is(s.senderCpuPercent, 9);
  t.is(s.receiverCpuPercent, 30);
  t.false(s.toolBound);
});

test('a stall decides the failure class of a run even when another process failed first', (t) => {
  const s = summarizeRun(run([
    proc(0, { port: 5201, failure: { class: 'control-channel', message: 'unable to send control message: Broken pipe' }, bitsPerSecondReceived: null }),
    { ...stalledProc(), port: 5202 },
  ]));
  t.false(s.ok);
  t.is(s.failureClass, 'stalled');
  t.is(s.failure!.port, 5202);
  t.deepEqual(s.failures.map((f) => f.class), ['control-channel', 'stalled']);
});

test('bytes sent with none received and no failure is still treated as a stall', (t) => {
  const s = summarizeRun(run([proc(0, { bytesSent: 492_992, bytesReceived: 0, bitsPerSecondReceived: 0, retransmits: 5 })]));
  t.false(s.ok);
  t.is(s.failureClass, 'stalled');
});

test('interval rates are summed across processes by index and their CoV measures stability', (t) => {
  const s = summarizeRun(run([
    proc(1, { intervalBitsPerSecond: [0.9 * G, 1.0 * G, 1.1 * G, 1.2 * G] }),
    proc(1, { intervalBitsPerSecond: [1.1 * G, 1.0 * G, 0.9 * G] }),
  ]));
  t.deepEqual(s.intervalBitsPerSecond, [2 * G, 2 * G, 2 * G]);
  t.is(s.intervalCov, 0);
  const jittery = summarizeRun(run([proc(1, { intervalBitsPerSecond: [0.9 * G, 1.1 * G] })]));
  t.is(jittery.intervalCov!.toFixed(4), (Math.SQRT2 * 0.1 / 1).toFixed(4));
});

test('an iperf3 process at 95 % of a core, or a core at 90 %, makes the run tool-bound', (t) => {
  const veth = summarizeRun(run([proc(14.9, { senderCpuPercent: 95, receiverCpuPercent: 60 })]));
  t.true(veth.toolBound);
  t.regex(veth.toolBoundReason!, /client at 95 % of a core/);
  const core = summarizeRun(run([proc(1.9)], { maxCorePercent: 92 }));
  t.true(core.toolBound);
  t.regex(core.toolBoundReason!, /busiest core at 92 %/);
  t.false(summarizeRun(run([proc(1.9, { senderCpuPercent: 84.9, receiverCpuPercent: 44 })], { maxCorePercent: 89 })).toolBound);
});

test('a cell takes median, min, max and relative spread of its ok repeats only (odd count)', (t) => {
  const cell = cellOf(repeats([run([proc(1.86)]), run([proc(1.91)]), run([stalledProc()]), run([proc(1.89)])]));
  t.is(cell.status, 'measured');
  t.is(cell.okRepeats, 3);
  t.is(cell.failedRepeats, 1);
  t.deepEqual(cell.failureClasses, { stalled: 1 });
  t.true(cell.stalled);
  t.is(cell.medianBitsPerSecond, 1.89 * G);
  t.is(cell.minBitsPerSecond, 1.86 * G);
  t.is(cell.maxBitsPerSecond, 1.91 * G);
  t.is(cell.relativeSpread!.toFixed(4), (0.05 / 1.89).toFixed(4));
});

test('with an even count of ok repeats the cell median is the mean of the middle two, retransmits and CPU too', (t) => {
  const cell = cellOf(repeats([
    run([proc(0.96, { retransmits: 617, senderCpuPercent: 4 })]), run([proc(0.96, { retransmits: 700, senderCpuPercent: 5 })]),
    run([proc(1.91, { retransmits: 900, senderCpuPercent: 6 })]), run([proc(1.91, { retransmits: 957, senderCpuPercent: 8 })]),
  ]));
  t.is(cell.medianBitsPerSecond, (0.96 + 1.91) / 2 * G);
  t.is(cell.medianRetransmits, 800);
  t.is(cell.medianSenderCpuPercent, 5.5);
  t.is(cell.relativeSpread!.toFixed(3), ((1.91 - 0.96) / 1.435).toFixed(3));
});

test('efficiency compares the median with the link speed and with the most goodput the row MTU allows', (t) => {
  const cell = cellOf(repeats([run([proc(1.91)])]), 2000);
  t.is(cell.linkEfficiency!.toFixed(3), '0.955');
  t.is(Math.round(cell.maxGoodputBitsPerSecond! / 1e6), Math.round(2000 * 1448 / 1538));
  t.is(cell.goodputEfficiency!.toFixed(3), (1.91e9 / (2e9 * 1448 / 1538)).toFixed(3));
  const jumbo = cellOf(repeats([run([proc(1.98)])]), 2000, rowJumbo!);
  t.is(jumbo.goodputEfficiency!.toFixed(3), (1.98e9 / (2e9 * 8948 / 9038)).toFixed(3));
  t.is(cellOf(repeats([run([proc(1.91)])]), null).linkEfficiency, null);
});

test('a cell is tool-bound when any repeat was', (t) => {
  const cell = cellOf(repeats([run([proc(28.8, { senderCpuPercent: 95 })]), run([proc(27.1, { senderCpuPercent: 80 })])]));
  t.true(cell.toolBound);
  t.regex(cell.toolBoundReason!, /^repeat 1: iperf3 client at 95 %/);
});

test('an agent error in one repeat is kept in the cell while the other repeats are summarised', (t) => {
  const cell = cellOf([
    { repeat: 1, result: run([proc(1.91, { retransmits: 2000 })]) },
    { repeat: 2, result: { error: { code: 'ERR_AGENT_UNREACHABLE', message: 'connect ECONNREFUSED 198.18.1.2:7400' } } },
    { repeat: 3, result: run([proc(1.89, { retransmits: 1800 })]) },
  ]);
  t.is(cell.status, 'measured');
  t.is(cell.repeats, 3);
  t.is(cell.okRepeats, 2);
  t.is(cell.errorRepeats, 1);
  t.deepEqual(cell.errors, [{ repeat: 2, code: 'ERR_AGENT_UNREACHABLE', message: 'connect ECONNREFUSED 198.18.1.2:7400' }]);
  t.is(cell.medianBitsPerSecond, 1.9 * G);
});

test('a cell of only errors, only skips or nothing says so in its status', (t) => {
  t.is(cellOf([{ repeat: 1, result: { error: { code: 'ERR_BUSY', message: 'busy' } } }]).status, 'error');
  const skipped = cellOf([{ repeat: 1, result: { skipped: 'stalled-row' } }]);
  t.is(skipped.status, 'skipped');
  t.is(skipped.skipped, 'stalled-row');
  t.is(cellOf([]).status, 'not-run');
  const failed = cellOf(repeats([run([stalledProc()])]));
  t.is(failed.status, 'failed');
  t.is(failed.medianBitsPerSecond, null);
});
