import test from 'ava';
import { rackRun } from '../fixtures/runs/rackRun.js';
import { contractViolations } from '../helpers/assertMatchesContract.js';

/*
 * The validator the lab tests use must be able to say no: a report built by the code passes, and
 * the same report with one thing wrong does not.
 */

function pmtuReport(): Record<string, any> {
  return JSON.parse(JSON.stringify(rackRun().pairs[0]!.pmtu));
}

test('a pmtu report built by the code matches pathprobe.pmtu/v1', (t) => {
  t.deepEqual(contractViolations('pathprobe.pmtu/v1', pmtuReport()), []);
});

test('a verdict outside the enum is rejected, at its path', (t) => {
  const report = pmtuReport();
  report.forward.verdict = 'fine';
  const violations = contractViolations('pathprobe.pmtu/v1', report);
  t.true(violations.some((v) => v.startsWith('/forward/verdict ')), violations.join('\n'));
});

test('a missing field is rejected, naming it', (t) => {
  const report = pmtuReport();
  delete report.asymmetric;
  t.true(contractViolations('pathprobe.pmtu/v1', report).some((v) => /required property 'asymmetric'/.test(v)));
});

test('null where the contract has a number is rejected', (t) => {
  const report = pmtuReport();
  report.forward.probes = null;
  t.true(contractViolations('pathprobe.pmtu/v1', report).some((v) => v.startsWith('/forward/probes ')));
});

test('another version in the schema field is rejected', (t) => {
  const report = pmtuReport();
  report.schema = 'pathprobe.pmtu/v2';
  t.true(contractViolations('pathprobe.pmtu/v1', report).some((v) => v.startsWith('/schema ')));
});

test('a run report is not a pmtu report', (t) => {
  t.notDeepEqual(contractViolations('pathprobe.pmtu/v1', JSON.parse(JSON.stringify(rackRun()))), []);
});

test('a new field is not a breaking change: it is accepted at the top and deep inside', (t) => {
  const report = pmtuReport();
  report.addedLater = { anything: true };
  report.forward.addedLater = 1;
  report.from.nic.addedLater = 'x';
  t.deepEqual(contractViolations('pathprobe.pmtu/v1', report), []);
});

test('a stored run built by the code matches pathprobe.run/v1', (t) => {
  t.deepEqual(contractViolations('pathprobe.run/v1', JSON.parse(JSON.stringify(rackRun()))), []);
});
