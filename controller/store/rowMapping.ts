import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import type { CellRecord, StoredCell } from '../model/cellRecord.js';
import type { Plan } from '../model/plan.js';
import type { DirectionReport, PmtuReport } from '../model/pmtuReport.js';
import type { RunReport, RunStatus } from '../model/runReport.js';
import type { PmtuOutcome, StoredFacts, StoredRun } from '../model/runResults.js';
import type { StoreTables } from './storeTables.js';

/*
 * Between domain objects and table rows. Nested objects travel as JSON blobs (the source of truth
 * when read back); the scalar columns beside them are copies for queries and indexes only.
 */


export interface RunRow {
  run_id: string;
  plan_json: string;
  plan_path: string | null;
  status: RunStatus;
  started_at_ms: number;
  finished_at_ms: number | null;
  exit_code: number | null;
}


export function runFromRow(row: RunRow): StoredRun {
  return {
    runId: row.run_id,
    plan: JSON.parse(row.plan_json) as Plan,
    planPath: row.plan_path,
    status: row.status,
    startedAtMs: row.started_at_ms,
    finishedAtMs: row.finished_at_ms,
    exitCode: row.exit_code,
  };
}

export interface FactsRow { agent: string; facts_json: string | null; error: string | null }

export function factsToRow(facts: StoredFacts): { facts_json: string | null; error: string | null } {
  if ('error' in facts && typeof facts.error === 'string') return { facts_json: null, error: facts.error };
  return { facts_json: JSON.stringify(facts), error: null };
}

export function factsFromRow(row: FactsRow): StoredFacts {
  return row.facts_json !== null ? (JSON.parse(row.facts_json) as AgentFactsResponse) : { error: row.error ?? '' };
}

export interface PmtuRow {
  pair_id: string;
  report_json: string | null;
  error_code: string | null;
  error_message: string | null;
}

export interface PmtuColumns {
  report_json: string | null;
  error_code: string | null;
  error_message: string | null;
  forward_verdict: string | null;
  forward_path_mtu: number | null;
  reverse_verdict: string | null;
  reverse_path_mtu: number | null;
  asymmetric: number | null;
  exit_code: number | null;
}

function pathMtuOf(d: DirectionReport | null): number | null {
  return d && 'pathMtu' in d ? d.pathMtu : null;
}

export function pmtuToColumns(outcome: PmtuOutcome): PmtuColumns {
  if ('report' in outcome) {
    const r = outcome.report;
    return {
      report_json: JSON.stringify(r), error_code: null, error_message: null,
      forward_verdict: r.forward.verdict, forward_path_mtu: pathMtuOf(r.forward),
      reverse_verdict: r.reverse?.verdict ?? null, reverse_path_mtu: pathMtuOf(r.reverse),
      asymmetric: r.asymmetric ? 1 : 0, exit_code: r.exitCode,
    };
  }
  return {
    report_json: null, error_code: outcome.error.code, error_message: outcome.error.message,
    forward_verdict: null, forward_path_mtu: null, reverse_verdict: null, reverse_path_mtu: null, asymmetric: null, exit_code: null,
  };
}

export function pmtuFromRow(row: PmtuRow): PmtuOutcome {
  if (row.report_json !== null) return { report: JSON.parse(row.report_json) as PmtuReport };
  return { error: { code: row.error_code ?? 'ERR_INTERNAL', message: row.error_message ?? '' } };
}

/** A cell's row as stored, but for the columns the store fills in itself. */
export type CellColumns = Omit<StoreTables['cells'], 'id' | 'run_id'>;

export function cellOutcome(record: CellRecord): { outcome: CellColumns['outcome']; errorCode: string | null } {
  if ('result' in record) return { outcome: 'ok', errorCode: null };
  if ('error' in record) return { outcome: 'error', errorCode: record.error.code };
  return { outcome: 'skipped', errorCode: null };
}

export function cellToColumns(cell: StoredCell): CellColumns {
  const r = cell.record;
  const { outcome, errorCode } = cellOutcome(r);
  return {
    pair_id: cell.pairId, direction: r.direction, row_kind: r.row, streams: r.streams, repeat: r.repeat,
    outcome, error_code: errorCode, record_json: JSON.stringify(r),
    started_at_ms: cell.startedAtMs, ended_at_ms: cell.endedAtMs,
  };
}

export interface CellRow { pair_id: string; record_json: string; started_at_ms: number; ended_at_ms: number }

export function cellFromRow(row: CellRow): StoredCell {
  return { pairId: row.pair_id, record: JSON.parse(row.record_json) as CellRecord, startedAtMs: row.started_at_ms, endedAtMs: row.ended_at_ms };
}

export function reportToColumns(report: RunReport): { report_json: string; findings: number; failing: number; exit_code: number } {
  return {
    report_json: JSON.stringify(report),
    findings: report.findings.length,
    failing: report.findings.filter((f) => f.severity === 'fail').length,
    exit_code: report.exitCode,
  };
}
