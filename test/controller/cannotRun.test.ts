import test from 'ava';
import { runExitCode } from '../../controller/aggregate/aggregateRun.js';
import { cannotRunFindings } from '../../controller/aggregate/cannotRunFindings.js';
import { cannotRunReason } from '../../controller/model/cannotRun.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { rackRun } from '../fixtures/runs/rackRun.js';

const NO_IPERF = 'iperf3 is not installed (not found on PATH)';

function withCanRun(facts: AgentFactsResponse | { error: string }, throughputOk: boolean): AgentFactsResponse | { error: string } {
  if ('error' in facts) return facts;
  return { ...facts, canRun: { pmtu: { ok: true }, throughput: throughputOk ? { ok: true } : { ok: false, reason: NO_IPERF } } };
}

test('an agent that says it cannot run a kind gives the reason; one that says nothing, or can, is tried', (t) => {
  const facts = Object.values(rackRun().facts)[0]!;
  t.is(cannotRunReason('h3', withCanRun(facts, false), 'throughput'), `h3 cannot run throughput tests: ${NO_IPERF}`);
  t.is(cannotRunReason('h3', withCanRun(facts, false), 'pmtu'), null);
  t.is(cannotRunReason('h3', withCanRun(facts, true), 'throughput'), null);
  t.is(cannotRunReason('h3', facts, 'throughput'), null, 'an older agent without canRun');
  t.is(cannotRunReason('h3', { error: 'unreachable' }, 'throughput'), null, 'an agent without facts is reported as unreachable instead');
});

test('a kind of the plan an agent cannot run is a finding with its pairs and the fix, and the run exits 3', (t) => {
  const report = rackRun();
  const agent = report.pairs[0]!.pair.a.agent;
  const facts = { ...report.facts, [agent]: withCanRun(report.facts[agent]!, false) };
  const plan = { ...report.plan, tests: ['pmtu' as const, 'throughput' as const] };
  const findings = cannotRunFindings(report.runId, plan, facts, report.pairs);
  t.is(findings.length, 1);
  const [finding] = findings;
  t.like(finding, { kind: 'cell-failed', severity: 'fail', scope: agent, title: `${agent} cannot run throughput tests: ${NO_IPERF}` });
  const withAgent = report.pairs.filter((p) => p.pair.a.agent === agent || p.pair.b.agent === agent).length;
  t.regex(finding!.explanation, new RegExp(`^${withAgent} pairs with ${agent} were not measured for it: `));
  t.is(finding!.fix, `install a working iperf3 on ${agent} (apt-get install iperf3), then measure the rest: pathprobe run --resume ${report.runId}`);

  const clean = { ...report, findings: [], expectations: [] };
  t.is(runExitCode({ ...clean, plan }), 0);
  t.is(runExitCode({ ...clean, plan, facts }), 3, 'something the plan asked for was not measured');
  t.is(runExitCode({ ...clean, plan: { ...plan, tests: ['pmtu'] }, facts }), 0, 'a path-MTU-only plan does not need iperf3');
  t.deepEqual(cannotRunFindings(report.runId, { ...plan, tests: ['pmtu'] }, facts, report.pairs), []);
});
