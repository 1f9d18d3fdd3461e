import test from 'ava';
import { readFileSync } from 'node:fs';
import { planLab } from '../../scripts/lab/labPlan.js';
import { manyHosts, silentCap } from '../../scripts/lab/topologies.js';
import { ensureNeighbourTable, neighbourEntriesNeeded } from '../../scripts/lab/neighbourTable.js';

const threshold = (table: string, name: string) => Number(readFileSync(`/proc/sys/net/${table}/neigh/default/${name}`, 'utf8'));

test('a lab needs a neighbour entry for every other interface on each segment, plus the controller\'s', (t) => {
  // 32 hosts on one segment: 32 × 31, and 2 × 32 on the management network.
  t.is(neighbourEntriesNeeded(planLab(manyHosts({ hosts: 32 }))), 32 * 31 + 2 * 32);
  t.true(neighbourEntriesNeeded(planLab(silentCap())) < 100);
});

test('the kernel-wide neighbour table is raised for a big lab and never lowered', (t) => {
  const before = { v4: threshold('ipv4', 'gc_thresh3'), v6: threshold('ipv6', 'gc_thresh3') };
  t.deepEqual(ensureNeighbourTable(10), [], 'a small lab changes nothing');
  ensureNeighbourTable(1056);
  for (const table of ['ipv4', 'ipv6']) {
    t.true(threshold(table, 'gc_thresh3') >= 2 * 1056, table);
    t.true(threshold(table, 'gc_thresh2') >= 1056, table);
  }
  t.true(threshold('ipv4', 'gc_thresh3') >= before.v4);
  t.true(threshold('ipv6', 'gc_thresh3') >= before.v6);
});
