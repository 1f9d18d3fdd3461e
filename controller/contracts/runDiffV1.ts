import { z } from 'zod';
import { DIRECTIONS } from '../model/direction.js';
import { PairV1 } from './pairV1.js';

export const RUN_DIFF_V1 = 'pathprobe.diff/v1';

export const RunStatusV1 = z.enum(['running', 'done', 'interrupted']);
export const DiffDirectionV1 = z.enum(DIRECTIONS);

export const EnvironmentKindV1 = z.enum([
  'nic-mtu', 'nic-speed', 'nic-driver', 'nic-addresses', 'nic-name', 'agent-version', 'kernel', 'iperf-version',
]);
export const ChangeKindV1 = z.enum([
  'pair-added', 'pair-removed', 'path-mtu', 'verdict', 'throughput', 'cell-status', 'sweet-spot', 'jumbo-verdict',
  ...EnvironmentKindV1.options,
]).meta({ id: 'ChangeKind' });
export const ChangeCategoryV1 = z.enum(['pair', 'path-mtu', 'throughput', 'environment']);
export const DiffValueV1 = z.union([z.string(), z.number(), z.null()])
  .describe('The value before or after: bytes for path-mtu and nic-mtu, bits per second for throughput, Mbit/s for nic-speed, otherwise text.');

const CellSideV1 = z.object({
  status: z.enum(['measured', 'failed', 'error', 'skipped', 'not-run', 'absent']),
  okRepeats: z.number().int(),
  medianBitsPerSecond: z.number().nullable().describe('In bits per second.'),
  minBitsPerSecond: z.number().nullable().describe('In bits per second.'),
  maxBitsPerSecond: z.number().nullable().describe('In bits per second.'),
  toolBound: z.boolean(),
});

const FlowClassSideV1 = z.object({
  pathMtuBytes: z.number().int().nullable().describe('In bytes; null for the flows that got no answer.'),
  flows: z.number().int(),
  share: z.number().describe('Of the flows probed, 0..1.'),
});

export const DiffChangeV1 = z.object({
  pairId: z.string(),
  direction: DiffDirectionV1.nullable().describe('Null for a change of the whole pair (added, removed).'),
  kind: ChangeKindV1,
  category: ChangeCategoryV1,
  subject: z.string().nullable().describe("What inside the pair or direction, e.g. 'jumbo P4', or 'flow classes' for a path-mtu change of how the flows split; null for the direction itself."),
  before: DiffValueV1,
  after: DiffValueV1,
  significant: z.boolean().describe('A real change, not noise.'),
  regression: z.boolean().describe('This change makes the diff regressed.'),
  explanation: z.string(),
  cell: z.object({
    row: z.string(),
    streams: z.number().int(),
    before: CellSideV1,
    after: CellSideV1,
    relativeChange: z.number().nullable().describe('(after − before) / before of the medians, as a fraction; null unless both measured.'),
    rangesOverlap: z.boolean().nullable(),
    judgement: z.enum(['beyond-noise', 'within-noise', 'single-sample', 'status']),
  }).optional().describe('Throughput changes only: the two compared cells.'),
  flowClasses: z.object({
    before: z.array(FlowClassSideV1).describe('Smallest path MTU first.'),
    after: z.array(FlowClassSideV1).describe('Smallest path MTU first.'),
    appeared: z.array(z.number().int().nullable()).describe('Path MTUs (bytes) of classes only the newer run has; null = flows with no answer.'),
    disappeared: z.array(z.number().int().nullable()).describe('Path MTUs (bytes) of classes only the older run had.'),
    largestShareChange: z.number().describe("The largest move of one class's share, 0..1 (a class absent on one side counts as 0); below 0.25 with the same class MTUs it is sampling noise."),
  }).optional().describe("Flow-class changes only (kind 'path-mtu', subject 'flow classes', before/after the safe path MTU in bytes, which may be equal): how the direction's flows split over paths with different MTUs, on both sides."),
}).meta({ id: 'DiffChange' });

const DirectionSnapshotV1 = z.object({
  verdict: z.string().nullable().describe("A path-MTU verdict, 'error' when it could not be measured, null when not tested."),
  pathMtu: z.number().int().nullable().describe('In bytes.'),
  jumboVerdict: z.string().nullable(),
});

const RunRefV1 = z.object({
  runId: z.string(),
  startedAt: z.string().describe('ISO 8601 UTC timestamp.'),
  status: RunStatusV1,
});

export const RunDiffV1 = z.object({
  schema: z.literal(RUN_DIFF_V1),
  base: RunRefV1.describe('The older run.'),
  next: RunRefV1.describe('The newer run.'),
  throughputThreshold: z.number().describe('A throughput median must move by more than this fraction (0.10 = 10 %) to count.'),
  regressed: z.boolean(),
  pairs: z.array(z.object({
    pairId: z.string(),
    pair: PairV1,
    status: z.enum(['compared', 'added', 'removed']),
    changes: z.array(DiffChangeV1).describe('Changes of the whole pair (added / removed).'),
    directions: z.array(z.object({
      direction: DiffDirectionV1,
      route: z.string(),
      before: DirectionSnapshotV1,
      after: DirectionSnapshotV1,
      changes: z.array(DiffChangeV1),
      regressed: z.boolean(),
    })),
    changed: z.boolean(),
    regressed: z.boolean(),
  })),
  environment: z.array(z.object({
    host: z.string(),
    address: z.string().nullable().describe('Null for a change of the host itself.'),
    nic: z.string().nullable(),
    kind: EnvironmentKindV1,
    before: DiffValueV1,
    after: DiffValueV1,
    explanation: z.string(),
    pairs: z.array(z.string()).describe('Pairs (of either run) with this host or address at one end.'),
  })),
  changes: z.array(DiffChangeV1).describe('Flat: pair-level changes, then each direction\'s changes.'),
  summary: z.object({
    pairsCompared: z.number().int(),
    pairsAdded: z.number().int(),
    pairsRemoved: z.number().int(),
    pairsChanged: z.number().int(),
    pairsUnchanged: z.number().int(),
    changes: z.number().int(),
    significant: z.number().int(),
    regressions: z.number().int(),
  }),
}).meta({ id: 'RunDiff', description: 'What changed between two runs (`pathprobe diff --json`).' });
