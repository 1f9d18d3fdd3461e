import type { z } from 'zod';
import type { PmtuReportV1 } from '../pmtuReportV1.js';
import type { PmtuReport } from './codeTypes.js';

// Fails to compile when the code's output no longer fits the published contract.
export const _check: z.infer<typeof PmtuReportV1> = null as unknown as PmtuReport;
