import test from 'ava';
import { runsTable } from '../../controller/report/runsTable.js';

test('past runs list as aligned lines, newest first as given, with their outcome', (t) => {
  const text = runsTable([
    { runId: 'r20261128-101500-beef', planPath: 'rack12.yaml', status: 'done', startedAtMs: Date.UTC(2026, 10, 28, 10, 15), finishedAtMs: null, exitCode: 1, pairs: 21, pmtu: 21, cells: 0, cellsFailed: 0, findings: 13, failingFindings: 13 },
    { runId: 'r20261128-090000-cafe', planPath: null, status: 'interrupted', startedAtMs: Date.UTC(2026, 10, 28, 9), finishedAtMs: null, exitCode: null, pairs: 6, pmtu: 6, cells: 10, cellsFailed: 2, findings: null, failingFindings: null },
  ]);
  const lines = text.trimEnd().split('\n');
  t.is(lines.length, 3);
  t.regex(lines[0]!, /^run\s+started \(UTC\)\s+status\s+exit\s+pairs\s+cells\s+findings\s+plan$/);
  t.regex(lines[1]!, /^r20261128-101500-beef\s+2026-11-28 10:15:00\s+done\s+1\s+21\s+0\s+13 \(13 failing\)\s+rack12\.yaml$/);
  t.regex(lines[2]!, /^r20261128-090000-cafe\s+2026-11-28 09:00:00\s+interrupted\s+-\s+6\s+10 \(2 failed\)\s+-\s+-$/);
});
