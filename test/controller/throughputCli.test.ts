import test from 'ava';
import { runCli } from '../helpers/runCli.js';

// Nothing listens on port 1: a usage error must be reported before any agent is contacted.
const AGENTS = ['--from', 'http://127.0.0.1:1', '--to', 'http://127.0.0.1:1'];

for (const [flags, message] of [
  [['--streams', '0'], /--streams "0": "0" is not a stream count of 1 or more/],
  [['--streams', '1,200'], /200 is more than the limit of 128 parallel streams/],
  [['--duration=-3s'], /--duration "-3s" must be at least 1 s/],
  [['--duration', '0s'], /--duration "0s" must be at least 1 s/],
  [['--direction', 'up'], /--direction "up" must be one of forward, reverse, both/],
  [['--repeats', '0'], /--repeats 0 must be an integer from 1 to 20/],
] as const) {
  test(`throughput ${flags.join(' ')} is a usage error with exit code 2`, async (t) => {
    const result = await runCli(['throughput', ...AGENTS, ...flags]);
    t.is(result.exitCode, 2);
    t.regex(result.stderr, message);
    t.notRegex(result.stderr, /\n\s+at /);
  });
}
