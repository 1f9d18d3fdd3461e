import type { z } from 'zod';
import type { ThroughputReportV1 } from '../throughputReportV1.js';
import type { ThroughputReport } from './codeTypes.js';

// Fails to compile when the code's output no longer fits the published contract.
export const _check: z.infer<typeof ThroughputReportV1> = null as unknown as ThroughputReport;
