import test from 'ava';
import { flowClassesText, flowSplitText } from '../../controller/pmtu/flowClassesText.js';
import { pmtuTable } from '../../controller/pmtu/pmtuTable.js';
import { pmtuMatrixSection } from '../../controller/pmtu/pmtuMatrixSection.js';
import { gridCell, pmtuGrid } from '../../controller/pmtu/pmtuGrid.js';
import type { Pair } from '../../controller/model/pair.js';
import type { PmtuReport } from '../../controller/model/pmtuReport.js';
import type { RunReport } from '../../controller/model/runReport.js';
import { rackRun } from '../fixtures/runs/rackRun.js';
import { flowsAt, multiFlowReport } from '../helpers/multiFlowSweep.js';

// Forward: 11 of 23 flows silently capped at 1500; reverse: every flow carries 9000.
const SPLIT = multiFlowReport([...flowsAt(12, 9000), ...flowsAt(11, 1500)], flowsAt(23, 9000));

test('a direction whose flows split shows the safe size first, then the other classes with their shares', (t) => {
  t.is(flowSplitText(SPLIT.forward), '1500 | 9000 on 52 %');
  t.is(flowSplitText(SPLIT.reverse!), '9000', 'flows that agree show the size alone');
  const three = multiFlowReport([...flowsAt(1, null), ...flowsAt(2, 4470, 'icmp'), ...flowsAt(1, 9000)]);
  t.is(flowSplitText(three.forward), '— | 4470 on 50 %, 9000 on 25 %', 'no size is safe when some flows get no answer');
  t.is(flowClassesText(three.reverse!.verdict === 'error' ? [] : three.reverse!.flows!.classes), 'none on 25 %, 4470 on 50 %, 9000 on 25 %');
});

test("the terminal table's path MTU column shows the split, and the flows line each class's verdict", (t) => {
  const table = pmtuTable(SPLIT);
  t.regex(table, /^h1 → h2 +1500 \| 9000 on 52 % +1518 +silent-drop/m);
  t.regex(table, /^h2 → h1 +9000 +9018 +ok/m);
  t.regex(table, /they split: 1500 on 48 % \(silent-drop\), 9000 on 52 % \(ok\)\./);
  t.regex(table, /; all 9000\.$/m, 'flows that agree are said once');
});

function runWith(report: PmtuReport): RunReport {
  const run = rackRun();
  const pair = run.pairs.find((p) => p.pair.a.agent === 'h1' && p.pair.b.agent === 'h2')!;
  pair.pmtu = report;
  return run;
}

const cellOf = (markup: string, row: string, column: number): string =>
  [...markup.matchAll(new RegExp(`<tr data-row="${row}">(.*?)</tr>`, 'gs'))][0]![1]!.split('<td').slice(1)[column]!;

test('the HTML heat maps show the split in the cell, in the same words, and mark the cell', (t) => {
  const forward = pmtuMatrixSection(runWith(SPLIT), 'forward').markup;
  const h1toh2 = cellOf(forward, 'h1', 1);
  t.regex(h1toh2, /class="cell v-silent multipath" data-verdict="silent-drop" data-flows="split"/);
  t.regex(h1toh2, /<span class="mtu">1500 <span class="split">\| 9000 on 52 %<\/span><\/span>/);
  t.is(h1toh2.slice(h1toh2.indexOf('>') + 1).replace(/<[^>]+>/g, '').split('✕')[0], '1500 | 9000 on 52 %', 'the text reads as the table does');
  const reverse = pmtuMatrixSection(runWith(SPLIT), 'reverse').markup;
  t.regex(cellOf(reverse, 'h1', 1), /<span class="mtu">9000<\/span>/, 'the way back did not split');
  t.notRegex(cellOf(reverse, 'h1', 1), /multipath/);
});

test('the live grid marks a direction whose flows split with *, and says so in its legend', (t) => {
  const pair = { id: 'h1~h2', a: { agent: 'h1', address: '198.18.1.1' }, b: { agent: 'h2', address: '198.18.1.2' } } as Pair;
  const lines = pmtuGrid(['h1', 'h2'], [gridCell(pair, SPLIT)]);
  t.deepEqual(lines.slice(0, 3), ['    h1 h2', 'h1     S*', 'h2  ✓']);
  t.regex(lines.at(-1)!, /\* flows split over paths with different MTUs$/);
});
