import test from 'ava';
import { FD_SLACK, RSS_SLACK_BYTES, judgeGrowth } from '../../../scripts/soak/growth.js';
import type { SoakSample } from '../../../scripts/soak/growth.js';
import type { ProcessSample } from '../../../scripts/soak/procStats.js';

/*
 * Made-up series of 40 samples: the judgement must pass start-up growth and GC noise, and must
 * fail a steady leak of memory, descriptors or sockets, and a child left behind.
 */

const MB = 1024 * 1024;
const N = 40;

type Series = (i: number) => Partial<ProcessSample>;

/** A quiet process: 80 MB, 22 fds, 5 sockets, no children, with a small deterministic wobble. */
const quiet: Series = (i) => ({ rssBytes: 80 * MB + ((i * 7919) % 5) * MB, fds: 22 + (i % 3), sockets: 5 + (i % 2), children: 0 });

function series(per: Record<string, Series>, n = N): SoakSample[] {
  return Array.from({ length: n }, (_, i) => ({
    ops: i * 50,
    elapsedMs: i * 10_000,
    processes: Object.fromEntries(Object.entries(per).map(([name, f]) => [name, { ...quiet(i), ...f(i) } as ProcessSample])),
  }));
}

const healthy = { h1: quiet, h2: quiet, controller: quiet };

test('a quiet soak passes', (t) => {
  const j = judgeGrowth(series(healthy));
  t.true(j.ok, j.findings.join('; '));
  t.deepEqual(j.findings, []);
  t.is(j.processes.length, 3);
});

test('start-up growth within the warm-up does not count', (t) => {
  // 60 MB to 100 MB over the first 5 samples (node warming up), flat after.
  const j = judgeGrowth(series({ ...healthy, h1: (i) => ({ rssBytes: Math.min(100, 60 + 8 * i) * MB }) }));
  t.true(j.ok, j.findings.join('; '));
});

test('a GC saw-tooth (every fifth sample 40 MB high) is noise, not growth', (t) => {
  const j = judgeGrowth(series({ ...healthy, controller: (i) => ({ rssBytes: (i % 5 === 4 ? 130 : 90) * MB }) }));
  t.true(j.ok, j.findings.join('; '));
});

test('a steady memory leak fails, and names the process', (t) => {
  // +1 MB per sample: about 30 MB between the windows' medians.
  const j = judgeGrowth(series({ ...healthy, h2: (i) => ({ rssBytes: 80 * MB + i * MB }) }));
  t.false(j.ok);
  t.is(j.findings.length, 1);
  t.regex(j.findings[0]!, /^h2: rssBytes grew /);
  t.false(j.processes.find((p) => p.name === 'h2')!.ok);
  t.true(j.processes.find((p) => p.name === 'h1')!.ok);
});

test('RSS may grow by 25 % of a large process, but not more', (t) => {
  // 400 MB: 25 % is about 105 MB, above the 20 MB floor; the windows' medians are 27 samples apart.
  // +2 MB per sample (+54 MB) passes, +5 MB per sample (+135 MB) does not.
  const at = (perSampleMb: number): Series => (i) => ({ rssBytes: (400 + perSampleMb * i) * MB });
  t.true(judgeGrowth(series({ ...healthy, controller: at(2) })).ok);
  t.false(judgeGrowth(series({ ...healthy, controller: at(5) })).ok);
});

test('the RSS floor is 20 MB for a small process', (t) => {
  const small: Series = () => ({ rssBytes: 60 * MB });
  const j = judgeGrowth(series({ h1: small }));
  t.is(j.processes[0]!.metrics.find((m) => m.metric === 'rssBytes')!.allowed, RSS_SLACK_BYTES);
});

test('a descriptor leak of one per sample fails; a few either way do not', (t) => {
  const leak = judgeGrowth(series({ ...healthy, h1: (i) => ({ fds: 22 + i }) }));
  t.false(leak.ok);
  t.regex(leak.findings.join('\n'), /^h1: fds grew 31 → 58 \(\+27, allowed \+8\)$/);
  const wobble = judgeGrowth(series({ ...healthy, h1: (i) => ({ fds: 22 + (i % FD_SLACK) }) }));
  t.true(wobble.ok, wobble.findings.join('; '));
});

test('a socket leak fails even when the fd count alone would be judged as well', (t) => {
  const j = judgeGrowth(series({ ...healthy, controller: (i) => ({ sockets: 6 + Math.floor(i / 2), fds: 24 + Math.floor(i / 2) }) }));
  t.false(j.ok);
  t.true(j.findings.some((f) => f.startsWith('controller: sockets grew')));
  t.true(j.findings.some((f) => f.startsWith('controller: fds grew')));
});

test('a child still alive at the end fails; children in earlier samples do not', (t) => {
  const last = judgeGrowth(series({ ...healthy, h2: (i) => ({ children: i === N - 1 ? 1 : 0 }) }));
  t.false(last.ok);
  t.deepEqual(last.findings, ['h2: 1 child process(es) still alive at the end']);
  const earlier = judgeGrowth(series({ ...healthy, h2: (i) => ({ children: i === 10 ? 2 : 0 }) }));
  t.true(earlier.ok);
});

test('too few samples cannot pass', (t) => {
  const j = judgeGrowth(series(healthy, 5));
  t.false(j.ok);
  t.regex(j.findings[0]!, /too few samples/);
  t.false(judgeGrowth([]).ok);
});

test('a process missing from the last samples (it died) fails', (t) => {
  const samples = series(healthy);
  for (const s of samples.slice(30)) delete s.processes.h1;
  const j = judgeGrowth(samples);
  t.false(j.ok);
  t.true(j.findings.some((f) => f.startsWith('h1:')));
});
