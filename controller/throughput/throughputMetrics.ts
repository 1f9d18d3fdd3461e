import { Gauge, type Registry } from 'prom-client';
import type { KindMetrics } from '../kinds/testKind.js';
import { DIRECTIONS } from '../model/direction.js';
import type { PairResult } from '../model/runReport.js';

/** Only the fixed rows become label values. */
const ROWS = new Set(['1500', 'jumbo', 'path']);

/** The best median rate of each frame-size row, per pair and direction, of the last finished run. */
export function createThroughputMetrics(registry: Registry): KindMetrics {
  const throughput = new Gauge({
    name: 'pathprobe_throughput_bits_per_second',
    help: 'Best median received rate over the stream counts of one frame-size row, last finished run',
    labelNames: ['pair', 'direction', 'row'] as const, registers: [registry],
  });
  return {
    record(results: readonly PairResult[]) {
      throughput.reset();
      for (const result of results) {
        for (const direction of DIRECTIONS) {
          const matrix = result.throughput?.directions.find((d) => d.direction === direction);
          for (const row of matrix?.rows ?? []) {
            if (!ROWS.has(row.row.row)) continue;
            const medians = row.cells.map((cell) => cell.medianBitsPerSecond).filter((m): m is number => typeof m === 'number');
            if (medians.length) throughput.set({ pair: result.pair.id, direction, row: row.row.row }, Math.max(...medians));
          }
        }
      }
    },
  };
}
