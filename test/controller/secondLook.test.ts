import test from 'ava';
import { runExitCode } from '../../controller/aggregate/aggregateRun.js';
import type { DirectionReport, PmtuReport } from '../../controller/model/pmtuReport.js';
import { inconclusiveDirections, secondLookStands } from '../../controller/pmtu/measurePmtuRun.js';
import { rackRun } from '../fixtures/runs/rackRun.js';

const measured = (): PmtuReport => structuredClone(rackRun().pairs[1]!.pmtu!);
const busy = (direction: string): DirectionReport => ({
  direction, verdict: 'error', error: { code: 'ERR_PROBE_FAILED', message: 'inconclusive: peer too slow' },
  inconclusive: {
    reason: 'peer too slow', detail: 'it answered the handshake, then stopped answering', handshakeAttempts: 1, handshakeProbes: 2,
    handshakeAnswered: 2, probesAnswered: 10, probesSent: 100, hostAnsweredEcho: true, neighbourEntry: true, elapsedMs: 5000,
  },
});
const withBusy = (report: PmtuReport, which: Array<'forward' | 'reverse'>): PmtuReport => {
  const copy = structuredClone(report);
  for (const side of which) copy[side] = busy(copy[side]!.direction);
  return copy;
};

test('a second look stands only when it leaves fewer directions unmeasured than the first', (t) => {
  const clean = measured();
  const reverseBusy = withBusy(clean, ['reverse']);
  const bothBusy = withBusy(clean, ['forward', 'reverse']);
  t.is(inconclusiveDirections(bothBusy), 2);
  t.true(secondLookStands(bothBusy, { report: clean }));
  t.true(secondLookStands(bothBusy, { report: reverseBusy }), 'one direction measured is better than none');
  t.false(secondLookStands(reverseBusy, { report: withBusy(clean, ['forward']) }), 'the forward measured first is not traded for the reverse');
  t.false(secondLookStands(reverseBusy, { report: reverseBusy }));
  t.false(secondLookStands(reverseBusy, { error: { code: 'ERR_AGENT_UNREACHABLE', message: 'agent gone' } }), 'an agent gone at the second look loses nothing');
});

test('a run with a direction it could not measure exits 3, as pmtu does, not 1', (t) => {
  const report = rackRun();
  const ok = { ...report, findings: [], expectations: [] };
  t.is(runExitCode(ok), 0);
  const pairs = report.pairs.map((p, i) => (i === 1 ? { ...p, pmtu: withBusy(p.pmtu!, ['reverse']) } : p));
  t.is(runExitCode({ ...ok, pairs }), 3);
});
