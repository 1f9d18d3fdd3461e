/*
 * An agent's own Prometheus metrics, served at GET /metrics behind the same bearer token as the
 * API. Labels come from fixed lists only. The counts are plain numbers: prom-client (about 10 MB
 * of an agent that otherwise idles near 65 MB) is loaded at the first scrape, and each scrape
 * renders them through a registry of its own (never prom-client's global one).
 */

export type AgentTestKind = 'pmtu' | 'throughput';
const KINDS: readonly AgentTestKind[] = ['pmtu', 'throughput'];

export interface AgentMetrics {
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
  const started: Record<AgentTestKind, number> = { pmtu: 0, throughput: 0 };
  const failed: Record<AgentTestKind, number> = { pmtu: 0, throughput: 0 };
  let busyRefusals = 0;
  return {
    testStarted: (kind) => { started[kind] += 1; },
    testFailed: (kind) => { failed[kind] += 1; },
    busyRefused: () => { busyRefusals += 1; },
    render: async () => {
      const { Counter, Registry } = await import('prom-client');
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
        tests.inc({ kind }, started[kind]);
        failures.inc({ kind }, failed[kind]);
      }
      busy.inc(busyRefusals);
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
