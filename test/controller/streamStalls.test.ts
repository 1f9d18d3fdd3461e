import test from 'ava';
import { IperfRunResult, type IperfProcessResult } from '../../proto/throughput.js';
import { cellStalled } from '../../controller/throughput/measureThroughput.js';
import { fullyStalled, partiallyStalled, streamStalls } from '../../controller/throughput/streamStalls.js';
import { summarizeRun } from '../../controller/throughput/throughputRun.js';
import { summarizeCell } from '../../controller/throughput/throughputCell.js';
import { throughputRows } from '../../controller/throughput/throughputRows.js';
import { throughputSweetSpot } from '../../controller/throughput/throughputSweetSpot.js';
import { throughputJumboVerdict } from '../../controller/throughput/throughputJumboVerdict.js';
import type { ThroughputCell, ThroughputRow } from '../../controller/model/throughputMatrix.js';

const G = 1e9;
const [row1500, rowJumbo] = throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: null }) as [ThroughputRow, ThroughputRow];
const flowing = { bytesSent: 40_000_000, bytesReceived: 39_990_000 };
const stalled = { bytesSent: 492_992, bytesReceived: 0 };

/** One iperf3 process whose streams are `perStream`; its sums are what iperf3 reports for them. */
function proc(perStream: Array<{ bytesSent: number; bytesReceived: number }>, o: Partial<IperfProcessResult> = {}): IperfProcessResult {
  const received = perStream.reduce((s, x) => s + x.bytesReceived, 0);
  return {
    port: 5201, streams: perStream.length, failure: null,
    bytesSent: perStream.reduce((s, x) => s + x.bytesSent, 0), bytesReceived: received,
    bitsPerSecondReceived: (received * 8) / 3, retransmits: 12, senderCpuPercent: 5, receiverCpuPercent: 10,
    intervalBitsPerSecond: [received * 8 / 3], congestionControl: 'cubic', timedOut: false, perStream, ...o,
  };
}
const run = (...processes: IperfProcessResult[]): IperfRunResult =>
  IperfRunResult.parse({ v: 1, iperfVersion: '3.12', processes, mssBytesObserved: 8948, maxCorePercent: 20, elapsedMs: 4000 });
const cell = (row: ThroughputRow, streams: number, ...results: IperfRunResult[]): ThroughputCell =>
  summarizeCell(results.map((result, i) => ({ repeat: i + 1, result })), { row, streams, family: 4, linkSpeedMbps: 1000 });
const gbps = (rate: number, streams = 1) => run(proc(Array.from({ length: streams }, () => ({ bytesSent: rate * G * 3 / 8, bytesReceived: rate * G * 3 / 8 }))));

test('one stream of four that never delivers a byte is a partial stall, although the process sums look healthy', (t) => {
  const result = run(proc([flowing, stalled, flowing, flowing]));
  const stalls = streamStalls(result);
  t.deepEqual(stalls, { stalled: 1, streams: 4 });
  t.true(partiallyStalled(stalls));
  t.false(fullyStalled(stalls));
  t.false(cellStalled(result), 'the row goes on: more streams may land on the paths that work');
  const summary = summarizeRun(result);
  t.false(summary.ok, 'a run with black-holed connections did not measure what four streams get');
  t.is(summary.failureClass, 'stalled');
  t.is(summary.stalledStreams, 1);
  t.regex(summary.failure!.message, /^1 of 4 streams stalled/);
});

test('a process that stalled as a whole counts all its streams, from its sums when the agent sent no per-stream bytes', (t) => {
  const whole = proc([stalled, stalled], { failure: { class: 'stalled', message: 'bytes sent, none received' } });
  delete whole.perStream;
  const mixed = run(whole, proc([flowing, flowing]));
  t.deepEqual(streamStalls(mixed), { stalled: 2, streams: 4 });
  t.true(partiallyStalled(streamStalls(mixed)));
  t.false(cellStalled(mixed));
  const all = run(whole, { ...whole, port: 5202 });
  t.deepEqual(streamStalls(all), { stalled: 4, streams: 4 });
  t.true(cellStalled(all), 'every stream stalled: the rest of the row is not worth waiting for');
  t.deepEqual(streamStalls(gbps(1, 4)), { stalled: 0, streams: 4 });
});

test('a process whose results never arrived counts as stalled only when it is a stall class and nothing was received', (t) => {
  const lost = proc([flowing], { failure: { class: 'control-channel', message: 'unable to send control message' }, bytesReceived: null, perStream: [{ bytesSent: 40_000_000, bytesReceived: null } as never] });
  t.deepEqual(streamStalls(run(lost)), { stalled: 1, streams: 1 });
  const refused = proc([flowing], { failure: { class: 'refused', message: 'connection refused' }, bytesSent: 0, bytesReceived: null, perStream: [] });
  t.deepEqual(streamStalls(run(refused)), { stalled: 0, streams: 1 });
});

test('a partially stalled cell says k of P streams, and the sweet spot leaves it out', (t) => {
  const p1 = cell(rowJumbo, 1, gbps(0.9), gbps(0.92));
  const p4 = cell(rowJumbo, 4, run(proc([flowing, stalled, flowing, flowing])), run(proc([flowing, flowing, stalled, stalled])));
  t.true(p4.partialStall);
  t.true(p4.stalled);
  t.deepEqual(p4.stalledStreams, { stalled: 2, of: 4 }, 'the repeat with the most stalled streams');
  t.is(p4.status, 'failed');
  t.false(p1.partialStall);
  t.is(p1.stalledStreams, null);

  const spot = throughputSweetSpot('jumbo', [p1, p4]);
  t.is(spot.streams, 1);
  t.deepEqual(spot.partialStalls, [4]);
  t.deepEqual(spot.excluded, [], 'listed as a partial stall, not as a cell without measurement');
  t.regex(spot.explanation, /left out: P4 \(some streams stalled\)/);
});

test('the jumbo verdict tells a partial stall (one multipath member capping frames) from a full one', (t) => {
  const base = [cell(row1500, 1, gbps(0.9), gbps(0.91)), cell(row1500, 4, gbps(0.94, 4), gbps(0.95, 4))];
  const input = (jumboCells: ThroughputCell[]) => ({
    route: 'h1 → h2', family: 4 as const, baseRow: row1500, baseCells: base, jumboRow: rowJumbo, jumboCells,
    pathMtu: { verdict: 'silent-drop' as const, pathMtu: 1500 },
  });
  const partial = throughputJumboVerdict(input([cell(rowJumbo, 4, run(proc([flowing, stalled, flowing, flowing])))]));
  t.is(partial.verdict, 'jumbo-stalled');
  t.is(partial.stall, 'partial');
  t.regex(partial.explanation, /stalled at P4 \(1 of 4 streams\)/);
  t.regex(partial.explanation, /only some flows are dropped: suspect one of several paths \(ECMP, LAG member\) capping frames/);

  const whole = proc([stalled], { failure: { class: 'stalled', message: 'bytes sent, none received' } });
  const full = throughputJumboVerdict(input([cell(rowJumbo, 1, run(whole))]));
  t.is(full.verdict, 'jumbo-stalled');
  t.is(full.stall, 'full');
  t.notRegex(full.explanation, /only some flows/);

  const healthy = throughputJumboVerdict(input([cell(rowJumbo, 1, gbps(0.99), gbps(0.99))]));
  t.is(healthy.stall, null);
});

test('stalled streams are counted on the receiving side, as iperf3 3.12 pairs sent and received bytes by index, not by stream', (t) => {
  // Decoded from `pathprobe throughput --streams 8 --duration 2s` in test/lab/partialStall.test.ts
  // (one ECMP member capped at 1500): two of four streams stalled, their order differs per side.
  const captured = proc([
    { bytesSent: 4_635_064, bytesReceived: 4_751_388 }, { bytesSent: 5_073_516, bytesReceived: 0 },
    { bytesSent: 0, bytesReceived: 0 }, { bytesSent: 0, bytesReceived: 5_127_204 },
  ]);
  t.deepEqual(streamStalls(run(captured)), { stalled: 2, streams: 4 });
});
