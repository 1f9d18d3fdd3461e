import test from 'ava';
import type { IperfProcessResult, IperfRunResult } from '../../proto/throughput.js';
import { throughputMatrix, type ThroughputMatrixContext } from '../../controller/throughput/throughputMatrix.js';
import type { ThroughputMatrixRun } from '../../controller/model/throughputMatrix.js';

const G = 1e9;
function run(gbps: number, retransmits = 0): IperfRunResult {
  const p: IperfProcessResult = {
    port: 5201, streams: 1, failure: null, bytesSent: gbps * G * 3 / 8, bytesReceived: gbps * G * 3 / 8,
    bitsPerSecondReceived: gbps * G, retransmits, senderCpuPercent: 5, receiverCpuPercent: 10,
    intervalBitsPerSecond: [gbps * G, gbps * G], congestionControl: 'cubic', timedOut: false,
  };
  return { v: 1, iperfVersion: '3.12', processes: [p], mssBytesObserved: null, maxCorePercent: 20, elapsedMs: 4000 };
}
const stall = (): IperfRunResult => ({
  ...run(0, 5),
  processes: [{ ...run(0, 5).processes[0]!, failure: { class: 'stalled', message: 'bytes sent, none received' }, bytesSent: 492_992, bytesReceived: 0, bitsPerSecondReceived: 0 }],
});

const context: ThroughputMatrixContext = {
  family: 4,
  linkSpeedMbps: 2000,
  directions: {
    forward: { route: 'h1 → h2', senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtu: { verdict: 'ok', pathMtu: 9000 } },
    reverse: { route: 'h2 → h1', senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtu: { verdict: 'silent-drop', pathMtu: 4470 } },
  },
};

function sweep(): ThroughputMatrixRun[] {
  const runs: ThroughputMatrixRun[] = [];
  const fwd = { '1500': [[1.90, 90], [1.91, 0], [1.91, 270], [1.91, 8183]], jumbo: [[1.98, 0], [1.97, 0], [1.98, 42], [1.96, 3345]] } as const;
  [1, 2, 4, 8].forEach((streams, i) => {
    for (const row of ['1500', 'jumbo'] as const) {
      const [gbps, retx] = fwd[row][i]!;
      for (const repeat of [1, 2]) runs.push({ direction: 'forward', row, streams, repeat, result: run(gbps, retx) });
    }
    for (const repeat of [1, 2]) runs.push({ direction: 'reverse', row: '1500', streams, repeat, result: run(1.91, 100 * streams) });
    runs.push({ direction: 'reverse', row: 'path', streams, repeat: 1, result: run(1.95, 50) });
  });
  runs.push({ direction: 'reverse', row: 'jumbo', streams: 1, repeat: 1, result: stall() });
  for (const streams of [2, 4, 8]) runs.push({ direction: 'reverse', row: 'jumbo', streams, repeat: 1, result: { skipped: 'stalled-row' } });
  return runs;
}

test('the matrix has rows × stream columns per direction, with sweet spots and jumbo verdicts', (t) => {
  const m = throughputMatrix(sweep(), context);
  t.deepEqual(m.directions.map((d) => d.direction), ['forward', 'reverse']);
  const [fwd, rev] = m.directions as [typeof m.directions[0], typeof m.directions[0]];
  t.deepEqual(fwd.streams, [1, 2, 4, 8]);
  t.deepEqual(fwd.rows.map((r) => r.row.label), ['1500', 'jumbo 9000']);
  t.true(fwd.rows.every((r) => r.cells.length === 4 && r.cells.every((c) => c.okRepeats === 2)));
  t.deepEqual(fwd.rows.map((r) => [r.sweetSpot.streams, r.sweetSpot.degradesBeyond]), [[1, 4], [1, 4]]);
  t.is(fwd.jumboVerdict.verdict, 'jumbo-gain');
  t.is(fwd.jumboVerdict.gainPercent, 3.7);
  t.deepEqual(rev.rows.map((r) => r.row.label), ['1500', 'jumbo 9000', 'path 4470']);
  t.is(rev.jumboVerdict.verdict, 'jumbo-stalled');
  t.true(rev.jumboVerdict.agreesWithPathMtu);
  const revJumbo = rev.rows[1]!;
  t.deepEqual(revJumbo.cells.map((c) => c.status), ['failed', 'skipped', 'skipped', 'skipped']);
  t.deepEqual(revJumbo.cells.map((c) => c.skipped), [null, 'stalled-row', 'stalled-row', 'stalled-row']);
  t.is(revJumbo.sweetSpot.basis, 'none');
  t.is(rev.rows[2]!.sweetSpot.streams, 1);
  t.deepEqual(m.unmatched, []);
});

test('an agent error in one cell keeps the error there and every other cell', (t) => {
  const runs = sweep().map((r): ThroughputMatrixRun => r.direction === 'forward' && r.row === '1500' && r.streams === 4
    ? { ...r, result: { error: { code: 'ERR_AGENT_UNREACHABLE', message: 'h1: connect ECONNREFUSED' } } }
    : r);
  const fwd = throughputMatrix(runs, context).directions[0]!;
  const row1500 = fwd.rows[0]!;
  t.deepEqual(row1500.cells.map((c) => c.status), ['measured', 'measured', 'error', 'measured']);
  t.deepEqual(row1500.cells[2]!.errors.map((e) => e.code), ['ERR_AGENT_UNREACHABLE', 'ERR_AGENT_UNREACHABLE']);
  t.deepEqual(row1500.sweetSpot.excluded, [{ streams: 4, reason: 'no-measurement' }]);
  t.is(row1500.sweetSpot.streams, 1);
  t.is(fwd.jumboVerdict.verdict, 'jumbo-gain');
});

test('runs with no place in the matrix are returned as unmatched, not dropped silently', (t) => {
  const runs: ThroughputMatrixRun[] = [
    { direction: 'forward', row: '1500', streams: 1, repeat: 1, result: run(0.94) },
    { direction: 'forward', row: 'jumbo', streams: 1, repeat: 1, result: run(0.99) },
    { direction: 'reverse', row: '1500', streams: 1, repeat: 1, result: run(0.94) },
  ];
  const m = throughputMatrix(runs, { family: 4, linkSpeedMbps: 1000, directions: { forward: { senderNicMtuBytes: 1500, receiverNicMtuBytes: 1500, pathMtu: null } } });
  t.is(m.directions.length, 1);
  t.is(m.directions[0]!.jumboVerdict.verdict, null);
  t.deepEqual(m.unmatched.map((u) => `${u.run.direction}/${u.run.row}`), ['forward/jumbo', 'reverse/1500']);
  t.regex(m.unmatched[0]!.reason, /no 'jumbo' row with NIC MTUs 1500\/1500/);
});
