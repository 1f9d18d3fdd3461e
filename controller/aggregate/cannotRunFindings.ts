import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { cannotRunReason } from '../model/cannotRun.js';
import type { Plan, TestKindName } from '../model/plan.js';
import type { Finding, PairResult } from '../model/runReport.js';

/** How an operator makes a kind runnable again on a host. */
const FIX: Record<TestKindName, (agent: string) => string> = {
  pmtu: (agent) => `run the agent on ${agent} as root or with CAP_NET_RAW (setpriv --ambient-caps +net_raw, or AmbientCapabilities=CAP_NET_RAW)`,
  throughput: (agent) => `install a working iperf3 on ${agent} (apt-get install iperf3)`,
};

/**
 * One finding per agent and test kind of the plan that the agent said it cannot run (its facts'
 * can-run), naming the pairs left unmeasured for it and what to do. The kind of finding stays
 * within v1's: `path-mtu` for sweeps, `cell-failed` for throughput. Pure.
 */
export function cannotRunFindings(runId: string, plan: Pick<Plan, 'tests' | 'agents'>, facts: Readonly<Record<string, AgentFactsResponse | { error: string }>>, pairs: readonly PairResult[]): Finding[] {
  const findings: Finding[] = [];
  for (const [agent, agentFacts] of Object.entries(facts)) {
    for (const kind of plan.tests) {
      const reason = cannotRunReason(agent, agentFacts, kind);
      if (reason === null) continue;
      const skipped = pairs.filter((p) => p.pair.a.agent === agent || p.pair.b.agent === agent).map((p) => p.pair.id);
      findings.push({
        kind: kind === 'pmtu' ? 'path-mtu' : 'cell-failed', severity: 'fail', scope: agent,
        title: reason,
        explanation: `${skipped.length} pair${skipped.length === 1 ? '' : 's'} with ${agent} ${skipped.length === 1 ? 'was' : 'were'} not measured for it${skipped.length ? `: ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? `, and ${skipped.length - 5} more` : ''}` : ''}.`,
        fix: `${FIX[kind](agent)}, then measure the rest: pathprobe run --resume ${runId}`,
        repro: [`curl -s -H 'authorization: Bearer …' ${plan.agents.find((a) => a.name === agent)?.url ?? ''}/v1/facts   # canRun.${kind}`],
      });
    }
  }
  return findings;
}
