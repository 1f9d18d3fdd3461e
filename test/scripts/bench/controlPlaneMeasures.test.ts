import test from 'ava';
import { parsePlan } from '../../../controller/plan/parsePlan.js';
import {
  benchPlanYaml, cpuTicksOfStat, fabricPairsOf, memoryOfStatus, parentOfStat, torOf,
} from '../../../scripts/bench/controlPlaneMeasures.js';

const STATUS = 'Name:\tnode\nVmPeak:\t 1093204 kB\nVmHWM:\t   74604 kB\nVmRSS:\t   70216 kB\nRssAnon:\t   27244 kB\n';
// A command name with spaces and a parenthesis, as /proc writes it.
const STAT = '4242 (node (x) y) S 4100 4242 4100 0 -1 4194560 3000 0 0 0 157 43 0 0 20 0 11 0 5000 1093204 18651 18446744073709551615';

test('memory is read from /proc/PID/status in bytes: VmRSS now, VmHWM the peak', (t) => {
  t.deepEqual(memoryOfStatus(STATUS), { rssBytes: 70216 * 1024, peakBytes: 74604 * 1024 });
  t.deepEqual(memoryOfStatus('Name:\tzombie\n'), { rssBytes: null, peakBytes: null });
});

test('CPU ticks (user + system) and the parent id are read from /proc/PID/stat past a command name with spaces', (t) => {
  t.is(cpuTicksOfStat(STAT), 157 + 43);
  t.is(parentOfStat(STAT), 4100);
  t.throws(() => cpuTicksOfStat('4242 (node) S'));
});

test('agents fill racks in order: tor1 for the first perRack agents, then tor2', (t) => {
  t.deepEqual([0, 15, 16, 31, 32].map((i) => torOf(i, 16)), ['tor1', 'tor1', 'tor2', 'tor2', 'tor3']);
});

test('the bench plan is a valid fabric plan: one switch label per agent, facts-only agents allowed', (t) => {
  const yaml = benchPlanYaml({
    tokenFile: '/tmp/x/token', pmtuParallel: 64, flows: 1,
    agents: [
      { name: 'sim1', url: 'http://127.0.0.1:4001', addresses: ['198.18.0.1'], tor: 'tor1' },
      { name: 'sim2', url: 'http://127.0.0.1:4002', addresses: ['198.18.0.2'], tor: 'tor2' },
      { name: 'real1', url: 'http://127.0.0.1:4003', addresses: [], tor: 'tor2' },
    ],
  });
  const plan = parsePlan(yaml, { fileName: 'plan.yaml', baseDir: '/tmp/x', checkTokenFile: () => null });
  t.is(plan.pairs, 'fabric');
  t.deepEqual(plan.tests, ['pmtu']);
  t.is(plan.concurrency.pmtuParallel, 64);
  t.deepEqual(plan.agents.map((a) => [a.name, a.addresses, a.labels.switch]), [['sim1', ['198.18.0.1'], 'tor1'], ['sim2', ['198.18.0.2'], 'tor2'], ['real1', [], 'tor2']]);
});

test('a fabric of agents in racks pairs all within each rack and each rack pair once, far fewer than the mesh', (t) => {
  t.is(fabricPairsOf(10, 16), 45, 'one rack: the full mesh');
  // 2 racks of 16: 2 × 120 inside, one link between them, then every agent not yet across linked once.
  const two = fabricPairsOf(32, 16);
  t.true(two > 240 && two < 32 * 31 / 2, String(two));
  t.true(fabricPairsOf(2000, 16) < 2000 * 1999 / 2 / 50);
});
