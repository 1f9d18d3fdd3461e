import { addressFamilyOf } from '../../proto/ipAddress.js';
import { throughputMatrix } from './throughputMatrix.js';
import type { ThroughputOptions } from './parseThroughputOptions.js';
import type { CellRecord } from '../model/cellRecord.js';
import type { DirectionReport, PmtuReport } from '../model/pmtuReport.js';
import type { ThroughputMatrix } from '../model/throughputMatrix.js';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK } from '../model/exitCodes.js';

export const THROUGHPUT_REPORT_SCHEMA = 'pathprobe.throughput/v1';

export interface ThroughputReport {
  schema: typeof THROUGHPUT_REPORT_SCHEMA;
  options: ThroughputOptions;
  /** The path-MTU sweep that ran first; its facts decided the frame-size rows. */
  pmtu: PmtuReport;
  matrix: ThroughputMatrix;
  /** Every repeat of every cell as measured (or why not), in the order they ran. */
  cells: CellRecord[];
  exitCode: number;
}

function pathMtuOf(d: DirectionReport | null) {
  if (!d || d.verdict === 'error') return null;
  return { verdict: d.verdict, pathMtu: d.pathMtu };
}

/**
 * 0: no finding; 1: a path-MTU finding, a jumbo row that stalls or is slower, or a cell that
 * failed; 3: the pair could not be measured at all. Same scheme as `pmtu`.
 */
export function throughputExitCode(pmtu: PmtuReport, matrix: ThroughputMatrix, cells: readonly CellRecord[]): number {
  if (pmtu.exitCode === EXIT_CANNOT_RUN || (cells.length > 0 && cells.every((c) => 'error' in c))) return EXIT_CANNOT_RUN;
  const jumboFinding = matrix.directions.some((d) => d.jumboVerdict.verdict === 'jumbo-stalled' || d.jumboVerdict.verdict === 'jumbo-slower');
  const cellFailed = matrix.directions.some((d) => d.rows.some((r) => r.cells.some((c) => c.status === 'failed' || c.status === 'error')));
  return pmtu.exitCode === EXIT_FINDING || jumboFinding || cellFailed ? EXIT_FINDING : EXIT_OK;
}

/** The versioned JSON object `throughput --json` prints. Pure. */
export function throughputReport(pmtu: PmtuReport, cells: readonly CellRecord[], options: ThroughputOptions): ThroughputReport {
  const matrix = throughputMatrixOf(pmtu, cells);
  return { schema: THROUGHPUT_REPORT_SCHEMA, options, pmtu, matrix, cells: [...cells], exitCode: throughputExitCode(pmtu, matrix, cells) };
}

/** The matrix of one pair's cells, judged against the facts of its path-MTU sweep. Pure. */
export function throughputMatrixOf(pmtu: PmtuReport, cells: readonly CellRecord[]): ThroughputMatrix {
  const speeds = [pmtu.from.nic?.speedMbps, pmtu.to.nic?.speedMbps].filter((s): s is number => typeof s === 'number');
  const nicMtu = (end: typeof pmtu.from) => end.nic?.mtuBytes ?? 1500;
  return throughputMatrix(
    cells.map((c) => ({
      direction: c.direction, row: c.row, streams: c.streams, repeat: c.repeat,
      result: 'result' in c ? c.result : 'error' in c ? { error: c.error } : { skipped: c.skipped },
    })),
    {
      family: addressFamilyOf(pmtu.from.address),
      linkSpeedMbps: speeds.length ? Math.min(...speeds) : null,
      directions: {
        forward: { route: `${pmtu.from.name} → ${pmtu.to.name}`, senderNicMtuBytes: nicMtu(pmtu.from), receiverNicMtuBytes: nicMtu(pmtu.to), pathMtu: pathMtuOf(pmtu.forward) },
        reverse: { route: `${pmtu.to.name} → ${pmtu.from.name}`, senderNicMtuBytes: nicMtu(pmtu.to), receiverNicMtuBytes: nicMtu(pmtu.from), pathMtu: pathMtuOf(pmtu.reverse) },
      },
    },
  );
}
