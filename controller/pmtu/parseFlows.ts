import { PathprobeError } from '../../proto/errorCodes.js';
import { MAX_SWEEP_FLOWS } from '../../proto/pmtuSweep.js';
import { PMTU_FLOWS } from './flowRule.js';

/** `--flows auto|N`: auto is the stated rule (23 flows); N from 1 to 64. One-line ERR_USAGE otherwise. */
export function parseFlows(text: string): number {
  if (text.trim() === 'auto') return PMTU_FLOWS;
  const flows = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(flows) || flows < 1 || flows > MAX_SWEEP_FLOWS) {
    throw new PathprobeError('ERR_USAGE', `--flows ${JSON.stringify(text)} must be auto (${PMTU_FLOWS} flows) or a number of flows from 1 to ${MAX_SWEEP_FLOWS}`);
  }
  return flows;
}
