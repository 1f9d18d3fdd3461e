import type { TestKind } from '../kinds/testKind.js';
import { diffThroughputDirection } from './diffThroughput.js';
import { estimateThroughput } from './estimateThroughput.js';
import { measureThroughputRun } from './measureThroughputRun.js';
import { sweetSpotSection } from './sweetSpotSection.js';
import { createThroughputMetrics } from './throughputMetrics.js';
import { throughputMatrixSection } from './throughputMatrixSection.js';

/** Throughput: iperf3 at 1500 and jumbo frame sizes over a sweep of stream counts, after the path MTU. */
export const throughputKind: TestKind = {
  name: 'throughput',
  requires: ['pmtu'],
  estimate: estimateThroughput,
  measure: measureThroughputRun,
  diffDirection: diffThroughputDirection,
  htmlSections: [
    { id: 'throughput-1500', toc: 'Throughput 1500', render: (report) => throughputMatrixSection(report, '1500') },
    { id: 'throughput-jumbo', toc: 'Throughput jumbo', render: (report) => throughputMatrixSection(report, 'jumbo') },
    { id: 'sweet-spot', toc: 'Sweet spot', render: sweetSpotSection },
  ],
  createMetrics: createThroughputMetrics,
};
