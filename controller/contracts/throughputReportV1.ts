import { z } from 'zod';
import { DIRECTIONS } from '../model/direction.js';
import { CellRecordV1 } from './cellRecordV1.js';
import { PmtuReportV1 } from './pmtuReportV1.js';
import { ThroughputMatrixV1 } from './throughputMatrixV1.js';

export const THROUGHPUT_REPORT_V1 = 'pathprobe.throughput/v1';

export const ThroughputReportV1 = z.object({
  schema: z.literal(THROUGHPUT_REPORT_V1),
  options: z.object({
    streams: z.array(z.number().int()).describe('Stream counts measured, ascending.'),
    durationMs: z.number().int().describe('Duration of each test, in milliseconds.'),
    repeats: z.number().int().describe('Repeats of each cell.'),
    directions: z.array(z.enum(DIRECTIONS)),
  }),
  pmtu: PmtuReportV1.describe('The path-MTU sweep that ran first; its facts decided the frame-size rows.'),
  matrix: ThroughputMatrixV1,
  cells: z.array(CellRecordV1).describe('Every repeat of every cell as measured (or why not), in the order they ran.'),
  exitCode: z.number().int().describe('0 no finding; 1 a path-MTU finding, a jumbo row that stalls or is slower, or a failed cell; 3 the pair could not be measured at all.'),
}).meta({ id: 'ThroughputReport', description: 'Throughput between one pair (`pathprobe throughput --json`).' });
