import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { TestKindName } from './plan.js';

const KIND_WORDS: Record<TestKindName, string> = { pmtu: 'path-MTU tests', throughput: 'throughput tests' };

/**
 * Why an agent cannot run a test kind now, from the can-run part of its facts (in the spirit of
 * pScheduler's can-run), or null when it can or does not say (an older agent is tried). Pure.
 */
export function cannotRunReason(agent: string, facts: AgentFactsResponse | { error: string } | undefined, kind: TestKindName): string | null {
  if (facts === undefined || 'error' in facts) return null;
  const verdict = facts.canRun?.[kind];
  return verdict === undefined || verdict.ok ? null : `${agent} cannot run ${KIND_WORDS[kind]}: ${verdict.reason}`;
}
