import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonLines } from '../../controller/render/jsonLines.js';
import { FIXTURES } from '../helpers/repoPaths.js';

const textOf = (value: object, perElement?: string[]) => [...jsonLines(value, perElement)].join('');

test('a run report in pieces parses back to exactly what JSON.stringify gives, a pair per line', async (t) => {
  const report = JSON.parse(await readFile(join(FIXTURES, 'runs', 'rack-run.json'), 'utf8')) as { pairs: Array<{ pair: { id: string } }> };
  const text = textOf(report, ['pairs']);
  t.deepEqual(JSON.parse(text), report);
  const lines = text.split('\n');
  for (const pair of report.pairs) {
    const line = lines.find((l) => l.includes(`"id":${JSON.stringify(pair.pair.id)}`) && l.startsWith('{"pair"'));
    t.truthy(line, `${pair.pair.id} has a line of its own`);
    t.deepEqual(JSON.parse(line!.replace(/,$/, '')), pair);
  }
  t.true(text.length < JSON.stringify(report, null, 2).length * 0.6, 'no indentation');
});

test('fields without a JSON form are left out and array holes become null, as JSON.stringify does', (t) => {
  const value = { a: 1, gone: undefined, pairs: [1, undefined, { b: undefined, c: 'x' }], last: [] };
  t.deepEqual(JSON.parse(textOf(value, ['pairs'])), JSON.parse(JSON.stringify(value)));
  t.deepEqual(JSON.parse(textOf({ pairs: [] }, ['pairs'])), { pairs: [] });
  t.deepEqual(JSON.parse(textOf({ only: undefined }, ['pairs'])), {});
});

test('each piece holds at most one pair, so a run of any size is never one string', (t) => {
  const pairs = Array.from({ length: 1000 }, (_, i) => ({ id: i, payload: 'x'.repeat(100) }));
  const pieces = [...jsonLines({ schema: 's', pairs }, ['pairs'])];
  t.true(pieces.length > 1000);
  t.true(Math.max(...pieces.map((p) => p.length)) < 200);
});
