/*
 * The controller's output types, imported in this one file: when a type moves, only these lines
 * change. Nothing else in contracts/ may import controller code.
 */
export type { PmtuReport } from '../../report/pmtuReport.js';
export type { ThroughputReport } from '../../report/throughputReport.js';
export type { RunReport } from '../../run/runModel.js';
export type { RunDiff } from '../../diff/diffRuns.js';
export type { AlertSummary } from '../../serve/postWebhook.js';
