import test from 'ava';
import type { IperfProcessResult, IperfRunResult } from '../../proto/throughput.js';
import { summarizeCell } from '../../controller/throughput/throughputCell.js';
import { throughputRows } from '../../controller/throughput/throughputRows.js';
import { throughputSweetSpot } from '../../controller/throughput/throughputSweetSpot.js';
import type { ThroughputCell, ThroughputRow } from '../../controller/model/throughputMatrix.js';

const G = 1e9;
const [row1500, rowJumbo] = throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: null }) as [ThroughputRow, ThroughputRow];

function run(gbps: number, retransmits: number, cpu = 5): IperfRunResult {
  const p: IperfProcessResult = {
    port: 5201, streams: 1, failure: null, bytesSent: gbps * G * 3 / 8, bytesReceived: gbps * G * 3 / 8,
    bitsPerSecondReceived: gbps * G, retransmits, senderCpuPercent: cpu, receiverCpuPercent: 10,
    intervalBitsPerSecond: [gbps * G, gbps * G, gbps * G], congestionControl: 'cubic', timedOut: false,
  };
  return { v: 1, iperfVersion: '3.12', processes: [p], mssBytesObserved: null, maxCorePercent: 20, elapsedMs: 4000 };
}
/** One cell from [Gbit/s, retransmits] repeats. */
function cell(row: ThroughputRow, streams: number, samples: Array<[number, number]>, cpu = 5): ThroughputCell {
  return summarizeCell(samples.map(([gbps, retx], i) => ({ repeat: i + 1, result: run(gbps, retx, cpu) })),
    { row, streams, family: 4, linkSpeedMbps: null });
}

// Two 1 Gbit/s paths with per-flow hashing, 3 + 3 runs per cell (docs/namespace-lab.md, "ECMP").
const ecmp = (): ThroughputCell[] => [
  cell(row1500, 1, [[0.96, 300], [0.96, 310], [0.96, 333], [0.96, 305], [0.96, 320], [0.96, 300]]),
  cell(row1500, 2, [[0.96, 617], [1.91, 957], [0.96, 700], [0.96, 800], [1.91, 900], [0.96, 650]]),
  cell(row1500, 4, [[1.91, 1612], [1.91, 2000], [1.91, 2256], [1.91, 1900], [1.91, 2100], [1.91, 1800]]),
  cell(row1500, 8, [[1.86, 5210], [1.91, 5600], [1.89, 6111], [1.90, 5500], [1.88, 5700], [1.91, 5400]]),
];

test('two ECMP paths give a sweet spot at 4 streams, and more streams only multiply retransmits', (t) => {
  const s = throughputSweetSpot('1500', ecmp());
  t.is(s.basis, 'measured');
  t.is(s.streams, 4);
  t.is(s.bitsPerSecond, 1.91 * G);
  t.is(s.degradesBeyond, 4);
  t.is(s.degradation?.streams, 8);
  t.is(s.degradation?.reason, 'retransmits');
  t.regex(s.explanation, /sweet spot P4: 1\.91 Gbit\/s/);
  t.regex(s.explanation, /beyond P4 more streams multiply retransmits \(1950 at P4, 5550 at P8\)/);
});

test('a bimodal P2 on two ECMP paths is reported as intermittent, not chosen', (t) => {
  const s = throughputSweetSpot('1500', ecmp());
  t.deepEqual(s.intermittent, [{ streams: 2, reached: 2, of: 6 }]);
  t.regex(s.explanation, /P2 reached that rate in 2 of 6 repeats/);
});

test('a rate-limited link has its sweet spot at one stream; P8 and P16 only add retransmits', (t) => {
  const jumbo = throughputSweetSpot('jumbo', [
    cell(rowJumbo, 1, [[1.98, 0]]), cell(rowJumbo, 2, [[1.97, 0]]), cell(rowJumbo, 4, [[1.98, 42]]),
    cell(rowJumbo, 8, [[1.96, 3345]]), cell(rowJumbo, 16, [[1.96, 5413]]),
  ]);
  t.is(jumbo.streams, 1);
  t.is(jumbo.bestStreams, 1);
  t.is(jumbo.degradesBeyond, 4);
  t.regex(jumbo.explanation, /one stream count already fills the path/);
  const mss1460 = throughputSweetSpot('1500', [
    cell(row1500, 1, [[1.90, 90]]), cell(row1500, 2, [[1.91, 0]]), cell(row1500, 4, [[1.91, 270]]),
    cell(row1500, 8, [[1.91, 8183]]), cell(row1500, 16, [[1.91, 14170]]),
  ]);
  t.is(mss1460.streams, 1);
  t.is(mss1460.bestStreams, 2);
  t.is(mss1460.degradesBeyond, 4, '270 retransmits are 0.05 % of the segments: below the floor');
});

test('tool-bound cells are left out of the choice and listed', (t) => {
  // Direct veth, -M 1460 (docs/iperf3.md, "What the numbers mean"): the P4 peak is the tool and the scheduler.
  const s = throughputSweetSpot('1500', [
    cell(row1500, 1, [[15.1, 0]], 60), cell(row1500, 2, [[19.5, 0]], 70), cell(row1500, 4, [[28.8, 0]], 95),
    cell(row1500, 8, [[18.5, 0]], 96),
  ]);
  t.is(s.basis, 'measured');
  t.is(s.streams, 2);
  t.deepEqual(s.excluded, [{ streams: 4, reason: 'tool-bound' }, { streams: 8, reason: 'tool-bound' }]);
  t.regex(s.explanation, /left out: P4 \(tool-bound\), P8 \(tool-bound\)/);
});

test('when every measured cell is tool-bound the choice is made among them and the basis says so', (t) => {
  const s = throughputSweetSpot('jumbo', [cell(rowJumbo, 1, [[12.4, 0]], 87), cell(rowJumbo, 4, [[14.0, 0]], 97)]);
  t.is(s.basis, 'tool-bound-only');
  t.is(s.streams, 4);
  t.regex(s.explanation, /describes the hosts' CPU, not the network/);
});

test('cells without an ok repeat are left out, and a row with none has no sweet spot', (t) => {
  const stalled = summarizeCell([{ repeat: 1, result: { error: { code: 'ERR_PROBE_FAILED', message: 'x' } } }],
    { row: rowJumbo, streams: 16, family: 4, linkSpeedMbps: null });
  const s = throughputSweetSpot('jumbo', [cell(rowJumbo, 8, [[1.96, 10]]), stalled]);
  t.is(s.streams, 8);
  t.deepEqual(s.excluded, [{ streams: 16, reason: 'no-measurement' }]);
  const none = throughputSweetSpot('jumbo', [stalled]);
  t.is(none.basis, 'none');
  t.is(none.streams, null);
});

test('a single column is its own sweet spot', (t) => {
  const s = throughputSweetSpot('1500', [cell(row1500, 4, [[1.5, 100]])]);
  t.is(s.streams, 4);
  t.is(s.degradesBeyond, null);
  t.regex(s.explanation, /the only stream count measured/);
});

test('losing more than 5 % of the best median beyond the best degrades', (t) => {
  // bbr at P8 dipped to 1.77 Gbit/s on the tbf link (docs/namespace-lab.md, "ECMP").
  const s = throughputSweetSpot('jumbo', [
    cell(rowJumbo, 1, [[1.98, 0]]), cell(rowJumbo, 4, [[1.98, 0]]), cell(rowJumbo, 8, [[1.77, 0]]),
  ]);
  t.is(s.streams, 1);
  t.is(s.degradesBeyond, 4);
  t.deepEqual(s.degradation, { streams: 8, reason: 'throughput', bitsPerSecond: 1.77 * G, retransmits: 0 });
  t.regex(s.explanation, /beyond P4 throughput drops: 1\.77 Gbit\/s at P8/);
});
