import type { CanRunByKind } from '../proto/agentFacts.js';
import { iperfCanRun } from './iperf/iperfVersion.js';
import { rawSocketCanRun } from './probe/rawSocketCanRun.js';

/**
 * The facts' `canRun`: which test kinds this agent can run now, and why not. Asked on every facts
 * request, so an iperf3 installed or a capability granted while the agent runs shows at once.
 */
export async function readCanRun(): Promise<CanRunByKind> {
  return { pmtu: rawSocketCanRun(), throughput: await iperfCanRun() };
}
