import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePathprobeForward, parsePathprobePair, parseScamper, parseTracepath } from '../../../scripts/bench/toolOutputParsers.js';
import { FIXTURES } from '../../helpers/repoPaths.js';

/** Real output on leafSpine({ spines: 2 }) with sp2 silently capping at 1500 (test/fixtures/bench/README.md). */
const fixture = (name: string): string => readFileSync(join(FIXTURES, 'bench', name), 'utf8');

test('pathprobe on a leaf-spine pair: both directions, their sweep times and flow classes, smallest first', (t) => {
  const { forward, reverse } = parsePathprobePair(fixture('pathprobe-pmtu-leafSpine2-v4.json'));
  t.like(forward, { verdict: 'silent-drop', pathMtuBytes: 1500, probes: 1097, sweepElapsedMs: 662, flowsProbed: 23 });
  t.deepEqual(forward.flowClasses.map((c) => [c.pathMtuBytes, c.flows]), [[1500, 10], [9000, 13]]);
  t.is(forward.flowClasses[0]!.share, 10 / 23);
  t.like(reverse, { verdict: 'silent-drop', pathMtuBytes: 1500, probes: 949, sweepElapsedMs: 981.3, flowsProbed: 23 });
  t.deepEqual(reverse!.flowClasses.map((c) => [c.pathMtuBytes, c.flows]), [[1500, 12], [9000, 11]]);
});

test('the forward reader gives the same forward direction as the pair reader', (t) => {
  t.deepEqual(parsePathprobeForward(fixture('pathprobe-pmtu-leafSpine2-v4.json')),
    { verdict: 'silent-drop', pathMtuBytes: 1500, probes: 1097, sweepElapsedMs: 662 });
});

test('a one-flow pathprobe direction has no flow classes, and an echo report no reverse', (t) => {
  const report = JSON.parse(fixture('pathprobe-pmtu-leafSpine2-v4.json'));
  delete report.forward.flows;
  report.reverse = null;
  const { forward, reverse } = parsePathprobePair(JSON.stringify(report));
  t.is(forward.flowsProbed, null);
  t.deepEqual(forward.flowClasses, []);
  t.is(reverse, null);
});

test('pathprobe output that is not its JSON is refused, not read as no value', (t) => {
  t.throws(() => parsePathprobePair('pathprobe: --from is required\n'), { message: /no JSON/ });
});

test('tracepath on a leaf-spine pair answers 9000: the probe lost on the capped spine went unnoticed', (t) => {
  const parsed = parseTracepath(fixture('tracepath-leafSpine2-v4.txt'));
  t.deepEqual(parsed, { pmtuBytes: 9000, reached: true, tooManyHops: false, hopLines: 7 });
});

test('scamper trace -M gives the capped spine\'s 1500 only when its one flow crossed it', (t) => {
  t.like(parseScamper(fixture('scamper-leafSpine2-v4-bad-spine.wartsdump.txt')), { pmtuBytes: 1500, rawPmtuBytes: 1500, ifMtuBytes: 9000, stopReason: 'done' });
  t.like(parseScamper(fixture('scamper-leafSpine2-v4-good-spine.wartsdump.txt')), { pmtuBytes: 9000, rawPmtuBytes: 9000, ifMtuBytes: 9000, stopReason: 'done' });
});
