import { z } from 'zod';
import { ChangeCategoryV1, ChangeKindV1, DiffDirectionV1, DiffValueV1 } from './runDiffV1.js';

export const ALERT_V1 = 'pathprobe.alert/v1';

export const AlertSummaryV1 = z.object({
  schema: z.literal(ALERT_V1),
  runId: z.string(),
  planKey: z.string().describe("The plan's identity: runs with the same key share a baseline."),
  baselineRunId: z.string(),
  regressed: z.boolean(),
  changes: z.array(z.object({
    pairId: z.string(),
    direction: DiffDirectionV1.nullable(),
    kind: ChangeKindV1,
    category: ChangeCategoryV1,
    subject: z.string().nullable(),
    before: DiffValueV1,
    after: DiffValueV1,
    regression: z.boolean(),
    explanation: z.string(),
  })).describe('The significant changes since the baseline, regressions first (at most 200).'),
  changesOmitted: z.number().int().describe('Significant changes left out beyond the first 200.'),
  findings: z.array(z.string()).describe("The titles of the run's findings."),
  reportUrl: z.string().nullable(),
}).meta({ id: 'AlertSummary', description: 'The JSON body `pathprobe serve` POSTs to its webhook when a run regressed.' });
