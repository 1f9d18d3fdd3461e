/*
 * The controller's output types, imported in this one file: when a type moves, only these lines
 * change. Nothing else in contracts/ may import controller code.
 */
export type { PmtuReport } from '../../model/pmtuReport.js';
export type { ThroughputReport } from '../../throughput/throughputReport.js';
export type { ComparedRunReport as RunReport } from '../../diff/runComparison.js';
export type { RunDiff } from '../../model/runDiff.js';
export type { AlertSummary } from '../../serve/postWebhook.js';
