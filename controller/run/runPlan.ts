import pLimit from 'p-limit';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { endpointsOf } from './endpointsOf.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { AgentClient, parseAgentUrl } from '../agentClient.js';
import { measurePathMtu } from '../pmtu/measurePathMtu.js';
import { pmtuReport, type PmtuReport } from '../pmtu/pmtuReport.js';
import { cellKeyId, measureThroughput, planThroughput, type CellRecord } from '../throughput/measureThroughput.js';
import type { RunStore } from '../store/RunStore.js';
import { planPairs } from '../schedule/planPairs.js';
import { throughputRounds } from '../schedule/throughputRounds.js';
import { estimateRun } from '../schedule/estimateRun.js';
import { assembleRunReport } from './assembleRunReport.js';
import type { Pair, Plan, RunReport, StoredCell } from './runModel.js';
import type { RunProgress } from './runProgress.js';
import { addressOfCidr } from '../../proto/ipAddress.js';
import { pairsInScope, selectorText } from './onlyThrough.js';

export interface RunPlanInput {
  plan: Plan;
  store: RunStore;
  runId: string;
  token: string | null;
  progress: RunProgress;
  /** Aborted by Ctrl-C: no new measurement starts; everything measured is already stored. */
  signal: AbortSignal;
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new PathprobeError('ERR_INTERRUPTED', 'interrupted', { cause: signal.reason });
}

/**
 * One commissioning run (or the rest of an interrupted one): facts, path MTU of every pair widely
 * in parallel, then throughput in rounds where no host is in two tests, every result stored the
 * moment it exists. Resuming skips whatever the store already holds.
 */
export async function runPlan(input: RunPlanInput): Promise<RunReport> {
  const { plan, store, runId, token, progress, signal } = input;
  const clients = new Map(plan.agents.map((agent) => [agent.name, new AgentClient(parseAgentUrl(agent.url, `agent ${agent.name} url`), { token })]));
  const earlier = store.loadResults(runId);
  if (!earlier) throw new PathprobeError('ERR_USAGE', `no run ${runId} in the store`);

  progress.phase('facts', `asking ${plan.agents.length} agents for their facts`);
  const facts = new Map<string, AgentFactsResponse>();
  await Promise.all(plan.agents.map(async (agent) => {
    try {
      const agentFacts = await clients.get(agent.name)!.facts();
      facts.set(agent.name, agentFacts);
      store.saveFacts(runId, agent.name, agentFacts);
    } catch (error) {
      const message = (error as Error).message;
      // On resume, facts an agent gave earlier stay: its measurements are still valid.
      if (!earlier.facts[agent.name] || 'error' in earlier.facts[agent.name]!) store.saveFacts(runId, agent.name, { error: message });
      progress.line(`${agent.name}: ${message}`);
    }
  }));

  const endpoints = endpointsOf(plan, facts);
  const allPairs = planPairs(endpoints, plan.agents.map((agent) => agent.name));
  const pairs = pairsInScope(plan, allPairs);
  if (plan.onlyThrough) progress.line(`only the pairs crossing ${selectorText(plan.onlyThrough)}: ${pairs.length} of ${allPairs.length}`);
  const rounds = throughputRounds(pairs, plan.concurrency.throughput);
  const linkSpeedMbps: Record<string, number | null> = {};
  for (const [agent, agentFacts] of facts) {
    for (const nic of agentFacts.nics) for (const cidr of nic.addresses) linkSpeedMbps[`${agent}/${addressOfCidr(cidr)}`] = nic.speedMbps;
  }
  const estimate = estimateRun({
    pairs, rounds, tests: plan.tests, throughput: plan.throughput, pmtuParallel: plan.concurrency.pmtuParallel, linkSpeedMbps,
  });
  progress.line(`plan: ${estimate.text}`);
  progress.estimate(estimate.durationMs);

  const pmtuByPair = new Map<string, PmtuReport>();
  for (const [id, stored] of earlier.pmtu) if ('report' in stored) pmtuByPair.set(id, stored.report);

  progress.phase('pmtu', `path MTU of ${pairs.length} pairs, ${plan.concurrency.pmtuParallel} at a time`);
  const limit = pLimit(plan.concurrency.pmtuParallel);
  await Promise.all(pairs.map((pair) => limit(async () => {
    // Measured before: keep it. A pair that failed to run before is tried again.
    if (pmtuByPair.has(pair.id) || signal.aborted) return;
    const replace = store.hasPmtu(runId, pair.id);
    const [from, to] = [clients.get(pair.a.agent)!, clients.get(pair.b.agent)!];
    try {
      const report = pmtuReport(await measurePathMtu({ from, to, fromAddress: pair.a.address, toAddress: pair.b.address }));
      store.savePmtu(runId, pair.id, { report }, Date.now(), { replace });
      pmtuByPair.set(pair.id, report);
      progress.pmtu(pair, report);
    } catch (error) {
      const failure = error instanceof PathprobeError ? error : new PathprobeError('ERR_INTERNAL', (error as Error).message, { cause: error });
      store.savePmtu(runId, pair.id, { error: { code: failure.code, message: failure.message } }, Date.now(), { replace });
      progress.line(`${pair.id}: ${failure.message}`);
    }
  })));
  stopIfAborted(signal);

  if (plan.tests.includes('throughput')) {
    const doneCells = new Map<string, Map<string, CellRecord>>();
    for (const cell of earlier.cells) {
      const perPair = doneCells.get(cell.pairId) ?? new Map<string, CellRecord>();
      perPair.set(cellKeyId(cell.record), cell.record);
      doneCells.set(cell.pairId, perPair);
    }
    const options = { ...plan.throughput, directions: ['forward', 'reverse'] as Array<'forward' | 'reverse'> };
    for (const [index, round] of rounds.entries()) {
      stopIfAborted(signal);
      progress.phase('throughput', `round ${index + 1} of ${rounds.length}: ${round.map((pair) => `${pair.a.agent}⇄${pair.b.agent}`).join(', ')}`);
      await Promise.all(round.map(async (pair: Pair) => {
        const pmtu = pmtuByPair.get(pair.id);
        if (!pmtu) return;
        // Only directions whose path answered at all: an unreachable one has nothing to measure.
        const reachable = (['forward', 'reverse'] as const).filter((d) => !['error', 'unreachable'].includes(pmtu[d]?.verdict ?? 'error'));
        if (reachable.length === 0) return;
        const cellPlan = planThroughput(pmtu, { from: clients.get(pair.a.agent)!, to: clients.get(pair.b.agent)! }, { ...options, directions: reachable });
        await measureThroughput(cellPlan, options, (record, timing) => {
          const stored: StoredCell = { pairId: pair.id, record, ...timing };
          store.saveCell(runId, stored);
          progress.cell(pair, record);
        }, doneCells.get(pair.id), signal);
      }));
    }
  }
  stopIfAborted(signal);
  return assembleRunReport({ runId, plan, store, status: 'done' });
}
