import type { z } from 'zod';
import type { RunReportV1 } from '../runReportV1.js';
import type { RunReport } from './codeTypes.js';

// Fails to compile when the code's output no longer fits the published contract.
export const _check: z.infer<typeof RunReportV1> = null as unknown as RunReport;
