import test from 'ava';
import { gridCell, pmtuGrid } from '../../controller/pmtu/pmtuGrid.js';
import { pairId } from '../../controller/model/pair.js';
import type { PmtuReport } from '../../controller/model/pmtuReport.js';

function measured(a: string, b: string, forward: string, reverse: string) {
  const pair = { id: pairId({ agent: a, address: `198.18.1.${a.slice(1)}` }, { agent: b, address: `198.18.1.${b.slice(1)}` }), a: { agent: a, address: '' }, b: { agent: b, address: '' } };
  return gridCell(pair, { forward: { verdict: forward }, reverse: { verdict: reverse } } as unknown as PmtuReport);
}

test('the live path-MTU grid shows each direction as it is measured, pending cells as dots', (t) => {
  const lines = pmtuGrid(['h1', 'h2', 'h3'], [measured('h1', 'h2', 'ok', 'ok'), measured('h1', 'h3', 'silent-drop', 'frag-needed')]);
  t.deepEqual(lines.slice(0, 4), [
    '    h1 h2 h3',
    'h1     ✓  S',
    'h2  ✓     ·',
    'h3  F  ·',
  ], 'rows are senders, columns receivers');
});
