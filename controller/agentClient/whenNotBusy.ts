import { PathprobeError } from '../../proto/errorCodes.js';

/**
 * Agents refuse work they cannot take yet (ERR_BUSY): one throughput test at a time, a bounded
 * number of sweeps, a slot still held after a controller died mid-cell. Wait and try again, with
 * jitter, rather than fail the measurement; give up after about half a minute.
 */
const BUSY_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];

export async function whenNotBusy<T>(attempt: () => Promise<T>): Promise<T> {
  for (const delayMs of BUSY_RETRY_DELAYS_MS) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof PathprobeError) || error.code !== 'ERR_BUSY') throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * (0.75 + Math.random() / 2)));
    }
  }
  return attempt();
}
