import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { StoredCell } from '../model/cellRecord.js';
import type { Plan } from '../model/plan.js';
import type { RunResults } from '../model/runResults.js';
import { RUN_REPORT_SCHEMA, type Finding, type PairResult, type RunReport } from '../model/runReport.js';
import { plannedPairs } from '../plan/plannedPairs.js';
import { pairsInScope } from '../plan/onlyThrough.js';
import { throughputMatrixOf } from '../throughput/throughputReport.js';
import { inferCulprits, pairFindings } from './culprit.js';
import { inferHopCulprits } from './hopCulprit.js';
import { lldpFindings } from './lldpFindings.js';
import { cannotRunFindings } from './cannotRunFindings.js';
import { cannotRunReason } from '../model/cannotRun.js';
import { withLldpLabels } from '../plan/lldpLabels.js';
import { checkExpectations } from './expectations.js';
import { rollUp } from './rollup.js';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK } from '../model/exitCodes.js';

/** 3 when something could not be measured, 1 when an expectation or a check failed, else 0. */
export function runExitCode(report: Pick<RunReport, 'facts' | 'pairs' | 'expectations' | 'findings'> & { plan: Pick<Plan, 'tests'> }): number {
  const agentDown = Object.values(report.facts).some((f) => 'error' in f);
  // A kind an agent said it cannot run left its pairs unmeasured for that kind.
  const cannotRun = Object.entries(report.facts).some(([agent, f]) => report.plan.tests.some((kind) => cannotRunReason(agent, f, kind) !== null));
  // A direction the agents could not measure (an agent error, a sweep left inconclusive) is as
  // unknown as a pair that never ran: 3, as `pathprobe pmtu` says for it, not a finding.
  const unmeasured = (p: PairResult) => p.pmtuError !== null || [p.pmtu?.forward, p.pmtu?.reverse].some((d) => d?.verdict === 'error');
  if (agentDown || cannotRun || report.pairs.some(unmeasured)) return EXIT_CANNOT_RUN;
  if (report.expectations.some((e) => !e.pass) || report.findings.some((f) => f.severity === 'fail')) return EXIT_FINDING;
  return EXIT_OK;
}

export interface AggregateRunInput {
  runId: string;
  plan: Plan;
  /** What the store holds of the run. */
  results: RunResults;
  status: RunReport['status'];
  startedAtMs: number;
  finishedAtMs: number | null;
}

/**
 * The whole report of a run from what was measured: the same function serves a run that just
 * ended, an interrupted one, `pathprobe report RUN_ID` later and the test fixtures. Verdicts,
 * findings and expectations are derived here, never stored as truth. Pure.
 */
export function aggregateRun(input: AggregateRunInput): RunReport {
  const { runId, plan, results: stored } = input;
  const facts = new Map(Object.entries(stored.facts).filter((entry): entry is [string, AgentFactsResponse] => !('error' in entry[1])));
  // A run restricted with --only-through (kept in its plan) reports only the pairs it tested.
  const pairs = pairsInScope(plan, plannedPairs(plan, facts));
  // Grouped in one pass: filtering every cell for every pair is pairs × cells, minutes at 32 hosts.
  const cellsByPair = new Map<string, StoredCell[]>();
  for (const cell of stored.cells) {
    const list = cellsByPair.get(cell.pairId);
    if (list) list.push(cell);
    else cellsByPair.set(cell.pairId, [cell]);
  }
  const results: PairResult[] = pairs.map((pair) => {
    const pmtu = stored.pmtu.get(pair.id);
    const cells = cellsByPair.get(pair.id) ?? [];
    const report = pmtu && 'report' in pmtu ? pmtu.report : null;
    return {
      pair,
      pmtu: report,
      pmtuError: pmtu && 'error' in pmtu ? pmtu.error : null,
      cells,
      throughput: report && cells.length ? throughputMatrixOf(report, cells.map((cell) => cell.record)) : null,
    };
  });
  const agentFindings: Finding[] = Object.entries(stored.facts).flatMap(([agent, f]) => ('error' in f ? [{
    kind: 'unreachable' as const, severity: 'fail' as const, scope: agent,
    title: `agent ${agent} could not be reached`, explanation: f.error,
    fix: `start the agent on ${agent} (pathprobe agent --listen ... --token-file ...) and check the management network`,
    repro: [`curl -s -H 'authorization: Bearer …' ${plan.agents.find((a) => a.name === agent)?.url ?? ''}/v1/facts`],
  }] : []));
  // With no labels in the plan, the switch and port each NIC hears over LLDP stand in for them.
  const agents = withLldpLabels(plan.agents, facts);
  const findings = [
    ...inferCulprits(results, agents), ...inferHopCulprits(results), ...lldpFindings(plan.agents, facts), ...pairFindings(results), ...agentFindings,
    ...cannotRunFindings(runId, plan, stored.facts, results),
  ];
  const expectations = checkExpectations(plan.expect, results);
  const partial = { facts: stored.facts, pairs: results, expectations, findings };
  return {
    schema: RUN_REPORT_SCHEMA,
    runId,
    startedAt: new Date(input.startedAtMs).toISOString(),
    finishedAt: input.finishedAtMs ? new Date(input.finishedAtMs).toISOString() : null,
    status: input.status,
    plan,
    ...partial,
    rollup: rollUp(results, agents),
    exitCode: runExitCode({ ...partial, plan }),
  };
}
