import type { z } from 'zod';
import type { RunDiffV1 } from '../runDiffV1.js';
import type { RunDiff } from './codeTypes.js';

// Fails to compile when the code's output no longer fits the published contract.
export const _check: z.infer<typeof RunDiffV1> = null as unknown as RunDiff;
