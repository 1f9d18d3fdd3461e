import type { z } from 'zod';
import type { AlertSummaryV1 } from '../alertSummaryV1.js';
import type { AlertSummary } from './codeTypes.js';

// Fails to compile when the code's output no longer fits the published contract.
export const _check: z.infer<typeof AlertSummaryV1> = null as unknown as AlertSummary;
