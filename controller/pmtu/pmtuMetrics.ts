import { Gauge, type Registry } from 'prom-client';
import type { KindMetrics } from '../kinds/testKind.js';
import { DIRECTIONS } from '../model/direction.js';
import type { PairResult } from '../model/runReport.js';
import { PATH_VERDICTS } from '../model/verdicts.js';

/** Label values of the verdict gauge: the fixed verdict list, and 'other' for anything else a newer agent may say. */
export const VERDICT_LABELS = [...PATH_VERDICTS, 'other'] as const;

/** Path MTU per pair and direction, and how many directions had each verdict, of the last finished run. */
export function createPmtuMetrics(registry: Registry): KindMetrics {
  const pathMtu = new Gauge({
    name: 'pathprobe_path_mtu_bytes', help: 'Path MTU of the last finished run, per pair and direction',
    labelNames: ['pair', 'direction'] as const, registers: [registry],
  });
  const verdicts = new Gauge({
    name: 'pathprobe_verdicts', help: 'Path-MTU verdicts of the directions of the last finished run',
    labelNames: ['verdict'] as const, registers: [registry],
  });
  return {
    record(results: readonly PairResult[]) {
      pathMtu.reset();
      const counts = new Map<string, number>(VERDICT_LABELS.map((v) => [v, 0]));
      for (const result of results) {
        const { pair } = result;
        if (result.pmtuError) counts.set('error', counts.get('error')! + 1);
        for (const direction of DIRECTIONS) {
          const measured = result.pmtu?.[direction];
          if (!measured) continue;
          const verdict = (VERDICT_LABELS as readonly string[]).includes(measured.verdict) ? measured.verdict : 'other';
          counts.set(verdict, counts.get(verdict)! + 1);
          if ('pathMtu' in measured && typeof measured.pathMtu === 'number') pathMtu.set({ pair: pair.id, direction }, measured.pathMtu);
        }
      }
      for (const [verdict, count] of counts) verdicts.set({ verdict }, count);
    },
  };
}
