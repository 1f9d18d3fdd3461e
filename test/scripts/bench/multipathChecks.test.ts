import test from 'ava';
import { PAIR_SWEEP_MEDIAN_TARGET_MS, PAIR_SWEEP_TARGET_MS, multipathChecks } from '../../../scripts/bench/multipathChecks.js';
import { judgeSingleFlow } from '../../../scripts/bench/multipathTable.js';
import type { MultipathRow } from '../../../scripts/bench/multipathTable.js';
import type { ParsedPathprobeDirection } from '../../../scripts/bench/toolOutputParsers.js';
import type { PathprobePairRun, ToolRun } from '../../../scripts/bench/toolRuns.js';

const direction = (pathMtuBytes: number, sweepElapsedMs: number): ParsedPathprobeDirection => ({
  verdict: 'silent-drop', pathMtuBytes, probes: 1000, sweepElapsedMs, flowsProbed: 23,
  flowClasses: [{ pathMtuBytes: 1500, flows: 11, share: 11 / 23 }, { pathMtuBytes: 9000, flows: 12, share: 12 / 23 }],
});

const pair = (fwd: [number, number], rev: [number, number]): PathprobePairRun => ({
  argv: ['pathprobe'], wallMs: 900, timedOut: false, forward: direction(...fwd), reverse: direction(...rev),
  pairSweepMs: Math.max(fwd[1], rev[1]), wire: { packets: 0, bigPackets: 0 }, failure: null,
});

const tool = (mtuBytes: number | null, over: Partial<ToolRun> = {}): ToolRun => ({
  tool: 'scamper', argv: [], mtuBytes, wallMs: 300, timedOut: false, timeoutMs: 180_000, wire: { packets: 0, bigPackets: 0 },
  ownProbes: null, sweepElapsedMs: null, detail: '', failure: null, ...over,
});

const row = (pathprobe: PathprobePairRun, run = 1): MultipathRow => ({
  path: 'leafSpine2', family: 'v4', run, truthBytes: 1500, goodSpineBytes: 9000, pathprobe, tracepath: tool(9000), scamper: tool(1500),
});

test('a one-flow tool is ok with the safe size, blind with the good spines\' size, wrong otherwise', (t) => {
  const r = row(pair([1500, 100], [1500, 100]));
  t.is(judgeSingleFlow(tool(1500), r), 'ok');
  t.is(judgeSingleFlow(tool(9000), r), 'blind');
  t.is(judgeSingleFlow(tool(4000), r), 'WRONG');
  t.is(judgeSingleFlow(tool(null, { failure: 'exit 1' }), r), 'WRONG');
  t.is(judgeSingleFlow(tool(null, { timedOut: true, failure: 'timeout after 15 s' }), r), 't/o');
});

test('the speed check holds the slower direction of every run under a second, and the median under 700 ms', (t) => {
  const fast = [row(pair([1500, 200], [1500, 300])), row(pair([1500, 250], [1500, PAIR_SWEEP_TARGET_MS - 1]), 2)];
  const [answer, speed] = multipathChecks(fast);
  t.true(answer!.pass);
  t.true(speed!.pass, speed!.detail);
  const oneSlow = [...fast, row(pair([1500, PAIR_SWEEP_TARGET_MS], [1500, 100]), 3)];
  const [, slow] = multipathChecks(oneSlow);
  t.false(slow!.pass);
  t.regex(slow!.detail, new RegExp(`slowest ${PAIR_SWEEP_TARGET_MS} ms over 3 runs`));
  const typicallySlow = [1, 2, 3].map((run) => row(pair([1500, 200], [1500, PAIR_SWEEP_MEDIAN_TARGET_MS + 1]), run));
  const [, middling] = multipathChecks(typicallySlow);
  t.false(middling!.pass, 'no run reached a second, but the typical pair is not well under one');
});

test('pathprobe blind in one direction fails the answer check and names the run', (t) => {
  const [answer] = multipathChecks([row(pair([1500, 200], [1500, 200])), row(pair([9000, 200], [1500, 200]), 2)]);
  t.false(answer!.pass);
  t.is(answer!.detail, 'WRONG on leafSpine2 v4 #2');
});

test('no runs is no pass', (t) => {
  t.false(multipathChecks([]).some((c) => c.pass));
});
