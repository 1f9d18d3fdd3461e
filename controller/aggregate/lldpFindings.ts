import type { AgentFactsResponse, NicFacts } from '../../proto/agentFacts.js';
import { addressOfCidr, isLoopbackOrLinkLocal } from '../../proto/ipAddress.js';
import { endpointLabels } from '../model/endpointLabels.js';
import { frameBytes } from '../model/frameBytes.js';
import type { PlanAgent } from '../model/plan.js';
import type { Finding } from '../model/runReport.js';

const where = (n: { systemName: string | null; portId: string | null }) => `${n.systemName ?? 'a switch without a name'}${n.portId ? ` ${n.portId}` : ''}`;

/** The NIC's global addresses: the endpoints a plan can name. */
const addressesOf = (nic: NicFacts) => nic.addresses.map(addressOfCidr).filter((a) => !isLoopbackOrLinkLocal(a));

/**
 * What LLDP says before any probe is sent:
 * - a cabling check: a NIC whose plan `switch` label (its own, or its agent's) names another
 *   switch than the one it hears ("h3 NIC eth1 is cabled to tor-b pb12, the plan says tor-a");
 * - a switch port that advertises a maximum frame size below what the NIC's MTU needs (MTU + 18).
 * Both are `expectation` / `path-mtu` findings of the v1 kinds. Pure.
 */
export function lldpFindings(agents: readonly PlanAgent[], facts: ReadonlyMap<string, AgentFactsResponse>): Finding[] {
  const findings: Finding[] = [];
  for (const agent of agents) {
    for (const nic of facts.get(agent.name)?.nics ?? []) {
      const [neighbour] = nic.lldpNeighbours ?? [];
      const addresses = addressesOf(nic);
      if (!neighbour || addresses.length === 0) continue;
      const scope = `${agent.name}/${addresses[0]}`;
      const planned = endpointLabels(agent, addresses[0] as string).switch;
      if (planned !== undefined && neighbour.systemName !== null && planned !== neighbour.systemName) {
        findings.push({
          kind: 'expectation', severity: 'fail', scope,
          title: `${agent.name} NIC ${nic.name} is cabled to ${where(neighbour)}, the plan says ${planned}`,
          explanation: `${agent.name}'s ${nic.name} (${addresses.join(', ')}) hears ${where(neighbour)} over LLDP${neighbour.portDescription ? ` ("${neighbour.portDescription}")` : ''}, while the plan labels it switch ${planned}: either the cable or the plan is wrong, and the roll-up and culprit follow the plan.`,
          fix: `check the cabling of ${agent.name} ${nic.name}, or correct its switch label in the plan to ${neighbour.systemName}`,
          repro: [`lldpctl ${nic.name}   # on ${agent.name}: the switch and port this NIC is cabled to`],
        });
      }
      const needed = frameBytes(nic.mtuBytes);
      if (neighbour.maxFrameBytes !== null && neighbour.maxFrameBytes < needed) {
        findings.push({
          kind: 'path-mtu', severity: 'fail', scope,
          title: `${where(neighbour)} advertises frames up to ${neighbour.maxFrameBytes} bytes; ${agent.name} ${nic.name} at MTU ${nic.mtuBytes} needs ${needed}`,
          explanation: `Over LLDP, ${where(neighbour)} says its port takes frames of at most ${neighbour.maxFrameBytes} bytes, while ${agent.name}'s ${nic.name} sends up to ${needed}-byte frames (MTU ${nic.mtuBytes} + 18): larger frames will be dropped there, whatever the probes show.`,
          fix: `raise the MTU of ${where(neighbour)} to at least ${needed}-byte frames, or lower ${agent.name} ${nic.name}'s MTU to ${neighbour.maxFrameBytes - 18}`,
          repro: [`lldpctl ${nic.name}   # on ${agent.name}: look for "MFS"`],
        });
      }
    }
  }
  return findings;
}
