import pLimit from 'p-limit';
import type { PmtuSweepRequest, PmtuSweepResult } from '../../proto/pmtuSweep.js';
import { combineFlowSweeps } from './combineFlowSweeps.js';
import { runPmtuSweep } from './runPmtuSweep.js';

/**
 * Flows of one sweep that probe at once. Each holds three sockets (raw sender, ICMP listener, ack
 * socket); with an agent's 16 sweeps at once this stays well under the usual 1024 descriptors.
 */
const FLOWS_AT_ONCE = 8;

/**
 * One direction over `flows` flows: each flow is a whole one-flow sweep from its own UDP source
 * port, so ECMP and LAG hashing put it on its own path. Flows that pass at the NIC MTU finish in
 * their first round; only failing ones are bisected. Echo sweeps stay one flow (ICMP has no ports).
 */
export async function runFlowSweeps(request: PmtuSweepRequest): Promise<PmtuSweepResult> {
  const flows = request.mode === 'peer' ? request.flows : 1;
  if (flows <= 1) return runPmtuSweep(request);
  const startedAt = performance.now();
  const limit = pLimit(FLOWS_AT_ONCE);
  const results = await Promise.all(Array.from({ length: flows }, () => limit(() => runPmtuSweep(request))));
  return combineFlowSweeps(results, Math.round((performance.now() - startedAt) * 10) / 10);
}
