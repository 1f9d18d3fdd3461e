import type { AgentFactsResponse, NicFacts } from '../../proto/agentFacts.js';
import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { addressFamilyOf } from '../../proto/ipAddress.js';
import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import type { AgentClient } from '../agentClient/agentClient.js';
import { whenNotBusy } from '../agentClient/whenNotBusy.js';
import { nicHolding } from '../model/nicHolding.js';
import { PMTU_FLOWS } from './flowRule.js';

export interface PathMtuEnd {
  /** Display name: the agent's hostname, or the bare address of a target with no agent. */
  name: string;
  url: string | null;
  address: string;
  facts: AgentFactsResponse | null;
  nic: NicFacts | null;
}

export type DirectionOutcome =
  | { ok: true; sweep: PmtuSweepResult }
  | { ok: false; error: PathprobeError };

export interface PathMtuMeasurement {
  mode: 'peer' | 'echo';
  from: PathMtuEnd;
  to: PathMtuEnd;
  forward: DirectionOutcome;
  /** null for a target with no agent: an echo sweep measures the round trip only. */
  reverse: DirectionOutcome | null;
}



async function settle(run: Promise<PmtuSweepResult>): Promise<DirectionOutcome> {
  try {
    return { ok: true, sweep: await run };
  } catch (error) {
    return { ok: false, error: PathprobeError.from(error) };
  }
}

/**
 * Both directions of one pair, run at the same time: each agent sweeps toward a responder the
 * other agent opened for this measurement only. One direction failing never discards the other.
 * Facts and responder set-up failures throw: nothing was measured yet.
 */
export async function measurePathMtu(input: {
  from: AgentClient;
  to: AgentClient | null;
  fromAddress: string;
  toAddress: string;
  /** Flows per direction of a peer sweep (flowRule.ts); echo sweeps are one flow. */
  flows?: number;
}): Promise<PathMtuMeasurement> {
  const { from, to, fromAddress, toAddress } = input;
  const flows = input.flows ?? PMTU_FLOWS;
  if (addressFamilyOf(fromAddress) !== addressFamilyOf(toAddress)) {
    throw new PathprobeError('ERR_USAGE', `--from-address ${fromAddress} and --to-address ${toAddress} are not the same address family`);
  }
  const [fromFacts, toFacts] = await Promise.all([from.facts(), to ? to.facts() : Promise.resolve(null)]);
  // Two agents on one host (one per NIC, or a namespace lab) share a hostname: name them by address.
  const sameHost = fromFacts.hostname === toFacts?.hostname;
  const fromEnd: PathMtuEnd = { name: sameHost ? fromAddress : fromFacts.hostname, url: from.label, address: fromAddress, facts: fromFacts, nic: nicHolding(fromFacts, fromAddress) };
  const toEnd: PathMtuEnd = { name: sameHost ? toAddress : toFacts?.hostname ?? toAddress, url: to?.label ?? null, address: toAddress, facts: toFacts, nic: nicHolding(toFacts, toAddress) };
  if (!fromEnd.nic) {
    throw new PathprobeError('ERR_USAGE', `--from-address ${fromAddress} is not an address of ${fromEnd.name} (${from.label})`);
  }
  if (to && !toEnd.nic) {
    throw new PathprobeError('ERR_USAGE', `--to-address ${toAddress} is not an address of ${toEnd.name} (${to.label})`);
  }

  if (!to) {
    const forward = await settle(from.sweep({ v: CONTRACT_VERSION, mode: 'echo', sourceAddress: fromAddress, target: { address: toAddress }, maxRounds: 24 }));
    if (!forward.ok && forward.error.code !== 'ERR_PROBE_FAILED') throw forward.error;
    return { mode: 'echo', from: fromEnd, to: toEnd, forward, reverse: null };
  }

  const opened = await Promise.allSettled([to.openResponder(toAddress), from.openResponder(fromAddress)]);
  if (opened[0].status === 'rejected' || opened[1].status === 'rejected') {
    // Close the one that did open rather than leave it to its TTL.
    if (opened[0].status === 'fulfilled') await to.closeResponder(opened[0].value.responderId).catch(() => {});
    if (opened[1].status === 'fulfilled') await from.closeResponder(opened[1].value.responderId).catch(() => {});
    throw PathprobeError.from(opened[0].status === 'rejected' ? opened[0].reason : (opened[1] as PromiseRejectedResult).reason);
  }
  const [atTo, atFrom] = [opened[0].value, opened[1].value];
  try {
    const [forward, reverse] = await Promise.all([
      settle(whenNotBusy(() => from.sweep({ v: CONTRACT_VERSION, mode: 'peer', sourceAddress: fromAddress, target: { address: toAddress, port: atTo.port, keyHex: atTo.keyHex }, maxRounds: 24, flows }))),
      settle(whenNotBusy(() => to.sweep({ v: CONTRACT_VERSION, mode: 'peer', sourceAddress: toAddress, target: { address: fromAddress, port: atFrom.port, keyHex: atFrom.keyHex }, maxRounds: 24, flows }))),
    ]);
    return { mode: 'peer', from: fromEnd, to: toEnd, forward, reverse };
  } finally {
    // Responders also expire on their own; a failed close must not hide the measurement.
    await Promise.allSettled([to.closeResponder(atTo.responderId), from.closeResponder(atFrom.responderId)]);
  }
}
