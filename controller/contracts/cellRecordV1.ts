import { z } from 'zod';
import { DIRECTIONS } from '../model/direction.js';
import { RecordedErrorCode } from '../../proto/errorCodes.js';
import { IperfRunResult } from '../../proto/throughput.js';

export const ThroughputDirectionV1 = z.enum(DIRECTIONS).describe('forward = from → to (plan pair: a → b); reverse = to → from.');
export const ThroughputRowKindV1 = z.enum(['1500', 'jumbo', 'path']).describe("The frame-size row: '1500' (MSS clamped to a 1500 MTU), 'jumbo' (the NICs' MTU, kernel MSS), 'path' (the proved path MTU, below the NICs').");

const cellKey = {
  direction: ThroughputDirectionV1,
  row: ThroughputRowKindV1,
  streams: z.number().int().describe('Parallel TCP streams of the cell.'),
  repeat: z.number().int().describe('Which repeat of the cell, from 1.'),
};

export const CellRecordV1 = z.union([
  z.object({
    ...cellKey,
    result: IperfRunResult.describe("The sending agent's decoded iperf3 run."),
    receiverIperfVersion: z.string(),
  }),
  z.object({ ...cellKey, error: z.object({ code: RecordedErrorCode, message: z.string() }).describe('The agent or transport error that took the place of a measurement.') }),
  z.object({ ...cellKey, skipped: z.literal('stalled-row').describe('Not run: an earlier cell of the row stalled.') }),
]).meta({ id: 'CellRecord', description: 'One repeat of one throughput cell as measured, or why not.' });
