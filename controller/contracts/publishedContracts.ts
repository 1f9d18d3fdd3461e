import type { z } from 'zod';
import { AlertSummaryV1, ALERT_V1 } from './alertSummaryV1.js';
import { PmtuReportV1, PMTU_REPORT_V1 } from './pmtuReportV1.js';
import { RunDiffV1, RUN_DIFF_V1 } from './runDiffV1.js';
import { RunReportV1, RUN_REPORT_V1 } from './runReportV1.js';
import { ThroughputReportV1, THROUGHPUT_REPORT_V1 } from './throughputReportV1.js';

export interface PublishedContract {
  /** The value of the output's `schema` field, e.g. 'pathprobe.pmtu/v1'. */
  schema: string;
  /** What prints it, for the JSON Schema's title. */
  producedBy: string;
  zod: z.ZodType;
}

export const PUBLISHED_CONTRACTS: readonly PublishedContract[] = [
  { schema: PMTU_REPORT_V1, producedBy: 'pathprobe pmtu --json', zod: PmtuReportV1 },
  { schema: THROUGHPUT_REPORT_V1, producedBy: 'pathprobe throughput --json', zod: ThroughputReportV1 },
  { schema: RUN_REPORT_V1, producedBy: 'pathprobe run --json', zod: RunReportV1 },
  { schema: RUN_DIFF_V1, producedBy: 'pathprobe diff --json', zod: RunDiffV1 },
  { schema: ALERT_V1, producedBy: 'the pathprobe serve webhook', zod: AlertSummaryV1 },
];

/** 'pathprobe.pmtu/v1' → 'pathprobe.pmtu.v1.schema.json', the file name under docs/schemas/. */
export function schemaFileName(schema: string): string {
  return `${schema.replace('/', '.')}.schema.json`;
}
