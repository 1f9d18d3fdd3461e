import test from 'ava';
import { familiesFlag, pathsFlag } from '../../../scripts/bench/benchFlags.js';
import { UsageError } from '../../../scripts/bench/runBench.js';

test('--family picks v4, v6 or both, and anything else is a usage error', (t) => {
  t.deepEqual(familiesFlag(undefined, ['v4']), ['v4']);
  t.deepEqual(familiesFlag('v6', ['v4']), ['v6']);
  t.deepEqual(familiesFlag('both', ['v4']), ['v4', 'v6']);
  t.throws(() => familiesFlag('v5', ['v4']), { instanceOf: UsageError, message: '--family must be v4, v6 or both, not "v5"' });
});

test('--only keeps the bench order and names what it does not know', (t) => {
  const all = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
  t.deepEqual(pathsFlag(undefined, all), all);
  t.deepEqual(pathsFlag('c,a', all), [{ name: 'a' }, { name: 'c' }]);
  t.throws(() => pathsFlag('a,z', all), { instanceOf: UsageError, message: '--only: unknown path z (known: a, b, c)' });
});
