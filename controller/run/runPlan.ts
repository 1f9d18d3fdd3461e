import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { addressOfCidr } from '../../proto/ipAddress.js';
import { readClientTls } from '../agentClient/clientTls.js';
import { AgentClient, parseAgentUrl } from '../agentClient/agentClient.js';
import { testKindsOf } from '../kinds/testKinds.js';
import { endpointKey } from '../model/endpoint.js';
import type { Plan } from '../model/plan.js';
import { endpointsOf } from '../plan/endpointsOf.js';
import { inRailMeshPairCount, plannedPairs } from '../plan/plannedPairs.js';
import { pairsInScope, selectorText } from '../plan/onlyThrough.js';
import { estimateRun } from '../schedule/estimateRun.js';
import { throughputRounds } from '../schedule/throughputRounds.js';
import type { RunStore } from '../store/RunStore.js';
import type { RunProgress } from './runProgress.js';

export interface RunPlanInput {
  plan: Plan;
  store: RunStore;
  runId: string;
  token: string | null;
  progress: RunProgress;
  /** Aborted by Ctrl-C: no new measurement starts; everything measured is already stored. */
  signal: AbortSignal;
}

/**
 * Measures one run (or the rest of an interrupted one): the agents' facts, then each test kind of
 * the plan in turn, every result stored the moment it exists. Resuming skips whatever the store
 * already holds. Returns when everything is measured or `signal` stopped it.
 */
export async function runPlan(input: RunPlanInput): Promise<void> {
  const { plan, store, runId, token, progress, signal } = input;
  const tls = await readClientTls(plan.tls ?? {}, { ca: 'tls.ca', cert: 'tls.cert', key: 'tls.key' });
  const clients = new Map(plan.agents.map((agent) => [agent.name, new AgentClient(parseAgentUrl(agent.url, `agent ${agent.name} url`), { token, tls })]));
  const earlierFacts = (await store.loadResults(runId))?.facts ?? {};

  progress.phase('facts', `asking ${plan.agents.length} agents for their facts`);
  const facts = new Map<string, AgentFactsResponse>();
  await Promise.all(plan.agents.map(async (agent) => {
    let agentFacts: AgentFactsResponse;
    try {
      agentFacts = await clients.get(agent.name)!.facts();
    } catch (error) {
      const message = (error as Error).message;
      // On resume, facts an agent gave earlier stay: its measurements are still valid.
      const before = earlierFacts[agent.name];
      if (!before || 'error' in before) await store.saveFacts(runId, agent.name, { error: message });
      progress.line(`${agent.name}: ${message}`);
      return;
    }
    facts.set(agent.name, agentFacts);
    // Outside the try: a store that refuses the facts is no fault of the agent.
    await store.saveFacts(runId, agent.name, agentFacts);
  }));

  const allPairs = plannedPairs(plan, facts);
  const pairs = pairsInScope(plan, allPairs);
  if (plan.onlyThrough) progress.line(`only the pairs crossing ${selectorText(plan.onlyThrough)}: ${pairs.length} of ${allPairs.length}`);
  const rounds = throughputRounds(pairs, plan.concurrency.throughput);
  const linkSpeedMbps: Record<string, number | null> = {};
  for (const [agent, agentFacts] of facts) {
    for (const nic of agentFacts.nics) for (const cidr of nic.addresses) linkSpeedMbps[endpointKey({ agent, address: addressOfCidr(cidr) })] = nic.speedMbps;
  }
  const estimate = estimateRun({ pairs, rounds, tests: plan.tests, plan, linkSpeedMbps });
  progress.line(`plan: ${plan.pairs === 'fabric' ? 'fabric sample: ' : ''}${estimate.text}`);
  if (plan.pairs === 'fabric') progress.line(fullMeshLine(plan, facts, pairs.length, linkSpeedMbps));
  progress.estimate(estimate.durationMs);

  for (const kind of testKindsOf(plan.tests)) {
    if (signal.aborted) return;
    await kind.measure({ plan, runId, store, clients, pairs, rounds, facts, progress, signal });
  }
}

/** Beyond this many pairs the full mesh is not worth listing and scheduling just to say how long it would take. */
const MESH_ESTIMATE_MAX_PAIRS = 20_000;

/** What the full mesh of the same rails would cost, beside the fabric sample's own estimate. */
function fullMeshLine(plan: Plan, facts: ReadonlyMap<string, AgentFactsResponse>, samplePairs: number, linkSpeedMbps: Record<string, number | null>): string {
  const endpoints = [...endpointsOf(plan, facts).values()].reduce((sum, addresses) => sum + addresses.length, 0);
  if ((endpoints * (endpoints - 1)) / 2 > MESH_ESTIMATE_MAX_PAIRS) {
    const meshPairs = inRailMeshPairCount(plan, facts);
    return `full mesh would be about ${meshPairs} pairs (the sample tests ${Math.round((samplePairs / Math.max(1, meshPairs)) * 100)} % of them)`;
  }
  const mesh = plannedPairs({ ...plan, pairs: 'in-rail' }, facts);
  const share = mesh.length === 0 ? 100 : Math.round((samplePairs / mesh.length) * 100);
  const estimate = estimateRun({ pairs: mesh, rounds: throughputRounds(mesh, plan.concurrency.throughput), tests: plan.tests, plan, linkSpeedMbps });
  return `full mesh would be: ${estimate.text} (the sample tests ${share} % of its pairs)`;
}
