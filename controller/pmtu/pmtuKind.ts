import type { TestKind } from '../kinds/testKind.js';
import { diffPmtuDirection } from './diffPmtu.js';
import { estimatePmtu } from './estimatePmtu.js';
import { measurePmtuRun } from './measurePmtuRun.js';
import { createPmtuMetrics } from './pmtuMetrics.js';
import { pmtuMatrixSection } from './pmtuMatrixSection.js';

/** Path MTU: a DF sweep in both directions of every pair. */
export const pmtuKind: TestKind = {
  name: 'pmtu',
  requires: [],
  estimate: estimatePmtu,
  measure: measurePmtuRun,
  diffDirection: diffPmtuDirection,
  htmlSections: [
    { id: 'pmtu-matrix-forward', toc: 'Path MTU →', render: (report) => pmtuMatrixSection(report, 'forward') },
    { id: 'pmtu-matrix-reverse', toc: 'Path MTU ←', render: (report) => pmtuMatrixSection(report, 'reverse') },
  ],
  createMetrics: createPmtuMetrics,
};
