import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { availableParallelism, hostname, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_VERSION, SUPPORTED_CONTRACT_VERSIONS } from '../../proto/contractVersion.js';
import { AGENT_VERSION } from '../../agent/agentVersion.js';
import { readNicFacts } from '../../agent/nic/readNicFacts.js';
import { loadAgentPolicy } from '../../agent/server/agentPolicy.js';
import { createAgentServer, type AgentServer } from '../../agent/server/createAgentServer.js';
import type { ConnectionLimits } from '../../agent/server/connectionLimits.js';
import { createProbePolicy } from '../../agent/server/probePolicy.js';

export const IN_PROCESS_TOKEN = 'hostile input token';

/**
 * Everything a hostile-input test may send a sweep or an iperf3 run toward: the benchmarking
 * ranges (RFC 2544, RFC 5180). The agent below refuses them all by policy, so nothing is sent.
 */
export const NEVER_REACHED_CIDRS = ['198.18.0.0/15', '2001:2::/48'] as const;

export interface InProcessAgent {
  url: string;
  port: number;
  agent: AgentServer;
  logged: string[];
}

/**
 * A real agent server in this process on 127.0.0.1, port 0, with the token IN_PROCESS_TOKEN and
 * a --policy that grants pmtu and echo only toward 127.0.0.1 and no throughput at all, so that
 * a sweep or run toward NEVER_REACHED_CIDRS is refused by policy even when its body is valid.
 * Teardown is registered here, right after setup.
 */
export async function startInProcessAgent(
  t: { teardown(fn: () => unknown): void },
  limits: Partial<ConnectionLimits> = {},
): Promise<InProcessAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-fuzz-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const policyPath = join(dir, 'policy.yaml');
  await writeFile(policyPath, [
    'grants:',
    '  - identities: [token:default]',
    '    tests: [pmtu, echo]',
    '    peerCidrs: [127.0.0.1/32]',
    '    echoCidrs: [127.0.0.1/32]',
    '',
  ].join('\n'));
  const accessPolicy = await loadAgentPolicy(policyPath);
  const nics = await readNicFacts();
  const logged: string[] = [];
  const agent = createAgentServer({
    token: IN_PROCESS_TOKEN,
    accessPolicy,
    policy: createProbePolicy(nics, ['127.0.0.0/8']),
    facts: async () => ({
      v: CONTRACT_VERSION, hostname: hostname(), agentVersion: AGENT_VERSION, contractVersions: [...SUPPORTED_CONTRACT_VERSIONS],
      kernel: release(), cpuCount: availableParallelism(), nics,
    }),
    log: (line) => logged.push(line),
    limits,
  });
  await new Promise<void>((resolve) => agent.server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => agent.close());
  const { port } = agent.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, agent, logged };
}

/** The server's own count of open connections. */
export function openConnections(agent: AgentServer): Promise<number> {
  return new Promise((resolve, reject) => agent.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}
