import test from 'ava';
import type { IperfProcessResult, IperfRunResult } from '../../proto/throughput.js';
import { summarizeCell } from '../../controller/throughput/throughputCell.js';
import { throughputRows } from '../../controller/throughput/throughputRows.js';
import { throughputJumboVerdict, type JumboVerdictInput } from '../../controller/throughput/throughputJumboVerdict.js';
import type { ThroughputCell, ThroughputRow } from '../../controller/model/throughputMatrix.js';

const G = 1e9;
const [row1500, rowJumbo] = throughputRows({ family: 4, senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtuBytes: null }) as [ThroughputRow, ThroughputRow];

function proc(gbps: number, o: Partial<IperfProcessResult> = {}): IperfProcessResult {
  return {
    port: 5201, streams: 1, failure: null, bytesSent: gbps * G * 3 / 8, bytesReceived: gbps * G * 3 / 8,
    bitsPerSecondReceived: gbps * G, retransmits: 0, senderCpuPercent: 5, receiverCpuPercent: 10,
    intervalBitsPerSecond: [gbps * G, gbps * G, gbps * G], congestionControl: 'cubic', timedOut: false, ...o,
  };
}
const run = (p: IperfProcessResult): IperfRunResult => ({ v: 1, iperfVersion: '3.12', processes: [p], mssBytesObserved: null, maxCorePercent: 20, elapsedMs: 4000 });
const stall = (): IperfRunResult => run(proc(0, {
  failure: { class: 'stalled', message: 'bytes sent, none received' },
  bytesSent: 492_992, bytesReceived: 0, bitsPerSecondReceived: 0, retransmits: 5,
}));
function cell(row: ThroughputRow, streams: number, results: IperfRunResult[]): ThroughputCell {
  return summarizeCell(results.map((result, i) => ({ repeat: i + 1, result })), { row, streams, family: 4, linkSpeedMbps: 2000 });
}
const rates = (row: ThroughputRow, streams: number, gbps: number[], cpu = 5) => cell(row, streams, gbps.map((g) => run(proc(g, { senderCpuPercent: cpu }))));
const input = (baseCells: ThroughputCell[], jumboCells: ThroughputCell[], pathMtu: JumboVerdictInput['pathMtu'] = null): JumboVerdictInput =>
  ({ route: 'h1 → h2', family: 4, baseRow: row1500, baseCells, jumboRow: rowJumbo, jumboCells, pathMtu });

test('on a 2 Gbit/s tbf link jumbo frames gain 3.7 %, which header overhead alone explains', (t) => {
  const v = throughputJumboVerdict(input(
    [rates(row1500, 1, [1.90, 1.90, 1.91]), rates(row1500, 2, [1.91, 1.91, 1.91]), rates(row1500, 4, [1.91, 1.90, 1.91])],
    [rates(rowJumbo, 1, [1.98, 1.97, 1.98]), rates(rowJumbo, 2, [1.97, 1.97, 1.97]), rates(rowJumbo, 4, [1.98, 1.98, 1.97])],
    { verdict: 'ok', pathMtu: 9000 },
  ));
  t.is(v.verdict, 'jumbo-gain');
  t.is(v.gainPercent, 3.7);
  t.is(v.base?.streams, 2);
  t.is(v.jumbo?.streams, 1);
  t.is(v.threshold, 0.02);
  t.is(v.headerOnlyGain!.toFixed(3), '0.052');
  t.true(v.agreesWithPathMtu);
  t.regex(v.explanation, /jumbo 9000 carried 1\.98 Gbit\/s at P1, 1500 \(MSS 1460\) carried 1\.91 Gbit\/s at P2: \+3\.7 %/);
  t.regex(v.explanation, /the link is the limit/);
});

test('a difference inside the spread of the repeats is jumbo-no-gain', (t) => {
  // Veth with offloads (docs/iperf3.md, "What the numbers mean"): 13.7–15.8 vs 13.7–17.5, read as no measurable difference.
  const v = throughputJumboVerdict(input([rates(row1500, 1, [1.80, 1.91, 1.85])], [rates(rowJumbo, 1, [1.86, 1.98, 1.92])]));
  t.is(v.verdict, 'jumbo-no-gain');
  t.true(v.gain! > 0.02, 'more than 2 %, but not more than the noise');
  t.true(v.threshold! > v.gain!);
  t.regex(v.explanation, /no difference beyond the noise/);
});

test('a jumbo row clearly below the 1500 row is jumbo-slower', (t) => {
  const v = throughputJumboVerdict(input([rates(row1500, 1, [1.91, 1.91])], [rates(rowJumbo, 1, [1.60, 1.61])]));
  t.is(v.verdict, 'jumbo-slower');
  t.true(v.gainPercent! < -15);
});

test('a stalled jumbo row agrees with a silent-drop path verdict and says what to change', (t) => {
  const v = throughputJumboVerdict(input(
    [rates(row1500, 1, [1.91]), rates(row1500, 4, [1.91])],
    [cell(rowJumbo, 1, [stall()]), summarizeCell([{ repeat: 1, result: { skipped: 'stalled-row' } }], { row: rowJumbo, streams: 4, family: 4, linkSpeedMbps: 2000 })],
    { verdict: 'silent-drop', pathMtu: 4470 },
  ));
  t.is(v.verdict, 'jumbo-stalled');
  t.true(v.agreesWithPathMtu);
  t.deepEqual(v.stalledStreams, [1, 4]);
  t.regex(v.explanation, /P1: 492992 bytes sent, 0 received, 5 retransmits/);
  t.regex(v.explanation, /while 1500 \(MSS 1460\) carried 1\.91 Gbit\/s/);
  t.regex(v.explanation, /path MTU sweep agrees \(silent-drop, path MTU 4470\)/);
  t.regex(v.explanation, /at least 9018-byte frames \(9022 with an 802\.1Q tag\), or set the NIC MTU to 4470 on both hosts/);
});

test('a stalled jumbo row does not agree with a path verdict of ok, and the explanation says so', (t) => {
  const v = throughputJumboVerdict(input([rates(row1500, 1, [1.91])], [cell(rowJumbo, 1, [stall(), stall()])], { verdict: 'ok', pathMtu: 9000 }));
  t.is(v.verdict, 'jumbo-stalled');
  t.false(v.agreesWithPathMtu);
  t.regex(v.explanation, /does not agree \(ok, path MTU 9000\)/);
});

test('a jumbo row whose every cell failed counts as stalled; with no path sweep agreement is unknown', (t) => {
  const refused = run(proc(0, { failure: { class: 'control-channel', message: 'unable to send control message: Broken pipe' }, bitsPerSecondReceived: null }));
  const v = throughputJumboVerdict(input([rates(row1500, 1, [1.91])], [cell(rowJumbo, 16, [refused])]));
  t.is(v.verdict, 'jumbo-stalled');
  t.is(v.agreesWithPathMtu, null);
  t.regex(v.explanation, /failed in every cell \(control-channel\)/);
});

test('tool-bound cells are not compared when clean ones exist', (t) => {
  const v = throughputJumboVerdict(input(
    [rates(row1500, 1, [1.91]), rates(row1500, 4, [28.8], 95)],
    [rates(rowJumbo, 1, [1.98]), rates(rowJumbo, 4, [14.0], 97)],
  ));
  t.is(v.base?.streams, 1);
  t.is(v.jumbo?.streams, 1);
  t.is(v.verdict, 'jumbo-gain');
  t.false(v.toolBound);
});

test('NICs at 1500 give no jumbo verdict, with the reason', (t) => {
  const v = throughputJumboVerdict({ ...input([rates(row1500, 1, [0.94])], []), jumboRow: null });
  t.is(v.verdict, null);
  t.regex(v.reason!, /NICs are at 1500/);
});
