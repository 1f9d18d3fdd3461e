import type { Generated } from 'kysely';
import type { RunStatus } from '../model/runReport.js';

/*
 * The tables as the query builder sees them (controller/store/migrations.ts creates them). Both
 * engines hand back the same JS types: the PostgreSQL pool parses BIGINT (the *_ms columns,
 * counts) as numbers, which is exact for millisecond times.
 */

export interface StoreTables {
  schema_version: { version: number; description: string; applied_at_ms: number };
  runs: {
    run_id: string;
    plan_json: string;
    plan_path: string | null;
    status: RunStatus;
    started_at_ms: number;
    finished_at_ms: number | null;
    exit_code: number | null;
  };
  facts: { run_id: string; agent: string; facts_json: string | null; error: string | null; saved_at_ms: number };
  pmtu: {
    id: Generated<number>;
    run_id: string;
    pair_id: string;
    report_json: string | null;
    error_code: string | null;
    error_message: string | null;
    forward_verdict: string | null;
    forward_path_mtu: number | null;
    reverse_verdict: string | null;
    reverse_path_mtu: number | null;
    asymmetric: number | null;
    exit_code: number | null;
    measured_at_ms: number;
  };
  cells: {
    id: Generated<number>;
    run_id: string;
    pair_id: string;
    direction: string;
    row_kind: string;
    streams: number;
    repeat: number;
    outcome: 'ok' | 'error' | 'skipped';
    error_code: string | null;
    record_json: string;
    started_at_ms: number;
    ended_at_ms: number;
  };
  reports: { run_id: string; report_json: string; findings: number; failing: number; exit_code: number; saved_at_ms: number };
  baselines: { plan_key: string; run_id: string; plan_label: string | null; set_at_ms: number };
}
