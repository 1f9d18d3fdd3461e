import { Counter, Registry } from 'prom-client';

/*
 * An agent's own Prometheus metrics, in a registry of its own (never prom-client's global one),
 * served at GET /metrics behind the same bearer token as the API. Labels come from fixed lists only.
 */

export type AgentTestKind = 'pmtu' | 'throughput';
const KINDS: readonly AgentTestKind[] = ['pmtu', 'throughput'];

export interface AgentMetrics {
  readonly registry: Registry;
  /** A test that passed every check and started: a path-MTU sweep or an iperf3 client run. */
  testStarted(kind: AgentTestKind): void;
  /** A started test that produced no measurement (it threw, or iperf3 reported a failure). */
  testFailed(kind: AgentTestKind): void;
  /** A request refused with ERR_BUSY (throughput slot taken, or too many sweeps at once). */
  busyRefused(): void;
  /** The text exposition format, and its content type. */
  render(): Promise<{ contentType: string; text: string }>;
}

export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry();
  const tests = new Counter({
    name: 'pathprobe_agent_tests_total', help: 'Tests started by this agent, by kind',
    labelNames: ['kind'] as const, registers: [registry],
  });
  const failures = new Counter({
    name: 'pathprobe_agent_failures_total', help: 'Started tests that produced no measurement, by kind',
    labelNames: ['kind'] as const, registers: [registry],
  });
  const busy = new Counter({
    name: 'pathprobe_agent_busy_refusals_total', help: 'Requests refused because the agent was busy', registers: [registry],
  });
  for (const kind of KINDS) {
    tests.inc({ kind }, 0);
    failures.inc({ kind }, 0);
  }
  return {
    registry,
    testStarted: (kind) => tests.inc({ kind }),
    testFailed: (kind) => failures.inc({ kind }),
    busyRefused: () => busy.inc(),
    render: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
  };
}
