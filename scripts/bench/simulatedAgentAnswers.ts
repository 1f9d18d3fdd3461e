import { randomBytes, randomUUID } from 'node:crypto';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { CONTRACT_VERSION, SUPPORTED_CONTRACT_VERSIONS } from '../../proto/contractVersion.js';
import type { CloseResponderResponse, OpenResponderRequest, OpenResponderResponse } from '../../proto/responder.js';
import type { FlowSweep, PmtuSweepRequest, PmtuSweepResult, ProbeRecord } from '../../proto/pmtuSweep.js';

/*
 * Canned but valid answers of a SIMULATED agent (the control-plane bench): what a real agent
 * would say on a clean 9000-byte fabric, with no packet ever sent. Each answer parses with its
 * route's schema of proto/agentApi.ts (test/scripts/bench/simulatedAgentAnswers.test.ts), so the
 * controller treats it as a real agent's.
 */

/** Every simulated NIC and path: jumbo frames end to end, so every direction's verdict is ok. */
export const SIMULATED_MTU_BYTES = 9000;

/** Simulated agent `index` (0-based) holds 198.18.0.0/15 address number index + 1 on its eth0. */
export function simulatedDataAddress(index: number): string {
  const n = index + 1;
  if (!Number.isInteger(index) || index < 0 || n > 0x1_fffe) throw new RangeError(`no simulated address for agent ${index}`);
  return `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

export function simulatedFacts(index: number): AgentFactsResponse {
  return {
    v: CONTRACT_VERSION,
    hostname: `sim${index + 1}`,
    agentVersion: '0.1.0-simulated',
    contractVersions: [...SUPPORTED_CONTRACT_VERSIONS],
    kernel: '6.1.0-simulated',
    cpuCount: 2,
    nics: [
      { name: 'lo', mtuBytes: 65536, addresses: ['127.0.0.1/8', '::1/128'], macAddress: null, speedMbps: null, driver: null, operState: 'unknown', kind: 'loopback' },
      {
        name: 'eth0', mtuBytes: SIMULATED_MTU_BYTES, addresses: [`${simulatedDataAddress(index)}/15`], macAddress: '02:00:00:00:00:01',
        speedMbps: 25000, driver: 'simulated', operState: 'up', kind: 'physical', lldpNeighbours: [],
      },
    ],
    lldp: { available: false, socket: '/run/lldpd.socket', detail: 'simulated agent: no lldpd' },
  };
}

export function simulatedOpenResponder(request: OpenResponderRequest, port: number, nowMs: number): OpenResponderResponse {
  return {
    v: CONTRACT_VERSION, responderId: randomUUID(), address: request.bindAddress, port,
    keyHex: randomBytes(16).toString('hex'), expiresAtMs: nowMs + request.ttlMs,
  };
}

export function simulatedCloseResponder(responderId: string): CloseResponderResponse {
  return { v: CONTRACT_VERSION, responderId, probesAnswered: 0 };
}

function probe(sizeBytes: number, round: number, passed: boolean, flow: number | undefined): ProbeRecord {
  return {
    sizeBytes, round, sentAtMs: round * 2, outcome: passed ? 'passed' : 'too-big-local', rttMs: passed ? 0.1 : null,
    receivedBytes: passed ? sizeBytes : null, icmp: null, error: passed ? null : 'EMSGSIZE', ...(flow === undefined ? {} : { flow }),
  };
}

/**
 * A peer sweep that proved SIMULATED_MTU_BYTES: a base probe and one at the MTU pass, the next size
 * is refused by the sender's own NIC, per flow. Echo sweeps get the same shape in echo mode.
 */
export function simulatedSweep(request: PmtuSweepRequest, sourceAddress: string): PmtuSweepResult {
  const flowCount = request.mode === 'peer' ? request.flows : 1;
  const flowIndex = (i: number) => (flowCount > 1 ? i : undefined);
  const probes = Array.from({ length: flowCount }, (_, i) => [
    probe(1200, 0, true, flowIndex(i)), probe(SIMULATED_MTU_BYTES, 1, true, flowIndex(i)),
    probe(SIMULATED_MTU_BYTES + 1, 2, false, flowIndex(i)), probe(SIMULATED_MTU_BYTES + 1, 3, false, flowIndex(i)),
  ]).flat();
  const perFlow = probes.length / flowCount;
  const failEvidence = { silent: 0, icmp: 0, local: 2, sendError: 0 };
  const flows: FlowSweep[] = Array.from({ length: flowCount }, (_, i) => ({
    sourcePort: 40000 + i, reachable: true, largestOkBytes: SIMULATED_MTU_BYTES, smallestFailBytes: SIMULATED_MTU_BYTES + 1,
    failEvidence, complete: true, probesSent: perFlow, rounds: 3,
  }));
  return {
    v: CONTRACT_VERSION, mode: request.mode, family: request.target.address.includes(':') ? 6 : 4,
    sourceAddress: request.sourceAddress ?? sourceAddress, targetAddress: request.target.address,
    device: 'eth0', deviceMtuBytes: SIMULATED_MTU_BYTES, reachable: true,
    largestOkBytes: SIMULATED_MTU_BYTES, smallestFailBytes: SIMULATED_MTU_BYTES + 1, failEvidence, complete: true,
    icmpHints: [], probes, probesSent: probes.length, rounds: 3, timeoutMs: 50, lossEstimate: 0, elapsedMs: 6,
    sourcePort: flowCount === 1 ? 40000 : null,
    ...(flowCount > 1 ? { flows } : {}),
    handshake: { attempts: 1, probesSent: 3, answered: 3, elapsedMs: 1, hostAnsweredEcho: null, neighbourEntry: null },
    stopReason: 'proved',
  };
}
