import { z } from 'zod';
import { DIRECTIONS } from '../model/direction.js';
import { TEST_KIND_NAMES } from '../model/plan.js';
import { AgentFactsResponse } from '../../proto/agentFacts.js';
import { CellRecordV1 } from './cellRecordV1.js';
import { PairV1 } from './pairV1.js';
import { PmtuReportV1 } from './pmtuReportV1.js';
import { JumboVerdictKindV1, RollupVerdictV1 } from './pmtuVerdictV1.js';
import { RunDiffV1, RunStatusV1 } from './runDiffV1.js';
import { ThroughputMatrixV1 } from './throughputMatrixV1.js';

export const RUN_REPORT_V1 = 'pathprobe.run/v1';

const LabelSelectorV1 = z.object({ key: z.string(), value: z.string() });

export const PlanV1 = z.object({
  tokenFile: z.string().describe("Absolute path of the token file (resolved against the plan file's directory)."),
  tls: z.object({
    ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional(),
  }).optional().describe("HTTPS to the agents: absolute paths of the CA and the controller's certificate and key (mutual TLS); absent for plain HTTP."),
  agents: z.array(z.object({
    name: z.string(),
    url: z.string(),
    addresses: z.union([z.array(z.string()), z.literal('all')]).describe("Data-plane addresses to test; 'all' = every non-loopback address the agent reports."),
    labels: z.record(z.string(), z.string()).describe('Free-form labels such as rack, switch, tor.'),
    nicLabels: z.record(z.string(), z.record(z.string(), z.string())).optional()
      .describe("Labels of one NIC, by its canonical address, over the agent's own (h1's 198.18.2.1 on switch tor-b). Absent when the plan gives none."),
  })),
  pairs: z.enum(['in-rail', 'all', 'fabric']).optional()
    .describe("in-rail: only endpoints on one rail (the same rail label, else the same IP subnet); all: every endpoint with every endpoint of its family; fabric: within each rail, every pair within a ToR (tor, else switch, else rack label), every ToR pair once, every endpoint at least once across ToRs. Absent from runs stored before rails, which paired all."),
  expect: z.object({
    pathMtu: z.number().optional().describe('Path MTU expected in every direction, in bytes.'),
    minLinkEfficiency: z.number().optional().describe('Best throughput cell / link speed, per direction, as a fraction.'),
    maxRetransmitsPerGB: z.number().optional().describe('Retransmits per gigabyte sent.'),
  }),
  tests: z.array(z.enum(TEST_KIND_NAMES)),
  throughput: z.object({
    streams: z.array(z.number().int()),
    durationMs: z.number().describe('In milliseconds.'),
    repeats: z.number().int(),
  }),
  pmtu: z.object({ flows: z.number().int().describe('Flows (UDP source ports) each direction is probed over; 1 = one flow.') }).optional()
    .describe('Path-MTU options; absent in runs stored before they existed (one flow).'),
  concurrency: z.object({
    pmtuParallel: z.number().int().describe('How many path-MTU pair sweeps run at once.'),
    throughput: z.enum(['rounds', 'serial']).describe("'rounds': disjoint pairs at once; 'serial': one pair at a time."),
  }),
  onlyThrough: LabelSelectorV1.optional().describe('`run --only-through key=value`: only pairs crossing this label value; absent = every pair.'),
}).meta({ id: 'Plan', description: 'The validated plan the run followed.' });

const countsOf = <T extends z.ZodEnum>(kinds: T) => z.record(kinds, z.number().int());

export const VerdictTallyV1 = z.object({
  counts: countsOf(RollupVerdictV1).describe('Path-MTU directions counted, by verdict.'),
  directions: z.number().int(),
  pairs: z.number().int(),
  worst: RollupVerdictV1.nullable(),
  jumbo: countsOf(JumboVerdictKindV1).describe('Throughput jumbo verdicts of the same pairs, per direction.'),
}).meta({ id: 'VerdictTally' });

export const RollupV1 = z.object({
  total: VerdictTallyV1,
  pairs: z.array(z.object({
    pairId: z.string(),
    pair: PairV1,
    forward: RollupVerdictV1.nullable(),
    reverse: RollupVerdictV1.nullable(),
    worst: RollupVerdictV1.nullable(),
    jumbo: z.partialRecord(z.enum(DIRECTIONS), JumboVerdictKindV1.nullable()),
  })),
  nics: z.array(z.object({
    endpoint: z.string().describe("'agent/address'."),
    agent: z.string(),
    address: z.string(),
    tally: VerdictTallyV1,
  })),
  hosts: z.array(z.object({ agent: z.string(), labels: z.record(z.string(), z.string()), tally: VerdictTallyV1 })),
  labels: z.array(z.object({
    key: z.string(),
    value: z.string(),
    scope: z.string().describe("'key=value', the scope findings use."),
    agents: z.array(z.string()),
    tally: VerdictTallyV1.describe('Every pair with at least one end in the group.'),
    within: VerdictTallyV1.describe('Pairs with both ends in the group.'),
    crossing: VerdictTallyV1.describe('Pairs with exactly one end in the group.'),
  })),
}).meta({ id: 'Rollup', description: 'Verdicts rolled up pair → NIC → host → label value.' });

export const PairResultV1 = z.object({
  pair: PairV1,
  pmtu: PmtuReportV1.nullable().describe("The pair's path-MTU report; null when not tested or it could not run."),
  pmtuError: z.object({ code: z.string(), message: z.string() }).nullable().describe("Error of the pair's path-MTU measurement when it could not run at all."),
  cells: z.array(z.object({
    pairId: z.string(),
    record: CellRecordV1,
    startedAtMs: z.number().describe('Unix time in milliseconds.'),
    endedAtMs: z.number().describe('Unix time in milliseconds.'),
  })),
  throughput: ThroughputMatrixV1.nullable(),
}).meta({ id: 'PairResult' });

export const FindingV1 = z.object({
  kind: z.enum(['path-mtu', 'culprit-switch', 'jumbo-stalled', 'jumbo-slower', 'expectation', 'unreachable', 'cell-failed']),
  severity: z.enum(['fail', 'warn']),
  scope: z.string().describe('What it is about: a pair id, an agent name, or key=value for a switch.'),
  title: z.string(),
  explanation: z.string(),
  fix: z.string().nullable(),
  repro: z.array(z.string()).describe('Commands a user can paste to see it themselves.'),
}).meta({ id: 'Finding' });

export const RunComparisonV1 = RunDiffV1.extend({
  baselineRunId: z.string().describe('The run compared with (= base.runId).'),
  against: z.enum(['baseline', 'run']).describe("How it was chosen: the plan's baseline, or a run named with --compare RUN_ID."),
}).meta({ id: 'RunComparison', description: 'The diff of the compared run to this one.' });

export const RunReportV1 = z.object({
  schema: z.literal(RUN_REPORT_V1),
  runId: z.string().describe("e.g. 'r20260105-020000-1a2b'."),
  startedAt: z.string().describe('ISO 8601 UTC timestamp.'),
  finishedAt: z.string().nullable().describe('ISO 8601 UTC timestamp of when the run ended; null while it runs.'),
  status: RunStatusV1,
  plan: PlanV1,
  facts: z.record(z.string(), z.union([AgentFactsResponse, z.object({ error: z.string() })]))
    .describe("Per agent name: the facts it reported, or why it could not be reached."),
  pairs: z.array(PairResultV1),
  rollup: RollupV1,
  expectations: z.array(z.object({
    name: z.string(),
    expected: z.string(),
    passed: z.number().int(),
    failed: z.number().int(),
    pass: z.boolean(),
    failures: z.array(z.string()),
  })),
  findings: z.array(FindingV1),
  exitCode: z.number().int().describe('0 pass, 1 a finding or a regression found by comparison, 3 something could not be measured (an agent unreachable, a pair or a direction left unmeasured).'),
  comparison: RunComparisonV1.nullable().optional().describe('run --compare: the diff against that run; null when the plan has no baseline; absent without --compare.'),
}).meta({ id: 'RunReport', description: 'A commissioning run of a plan (`pathprobe run --json`, `pathprobe report --json`).' });

