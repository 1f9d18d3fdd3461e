import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './repoPaths.js';

/*
 * The PromQL that the shipped deployment files ask of Prometheus (docs/deploy/prometheus/ and
 * docs/deploy/grafana/), read from those files so a test can never check a stale copy.
 */

export const ALERTS_FILE = join(REPO_ROOT, 'docs/deploy/prometheus/pathprobe-alerts.yml');
export const PROMETHEUS_CONFIG_FILE = join(REPO_ROOT, 'docs/deploy/prometheus/prometheus.yml');
export const DASHBOARD_FILE = join(REPO_ROOT, 'docs/deploy/grafana/pathprobe-dashboard.json');

/**
 * The one lint finding accepted: throughput is published in bits per second, as iperf3 and link
 * speeds count it, under a name already in use; Prometheus prefers bytes.
 */
export const KNOWN_LINT: readonly string[] = ['pathprobe_throughput_bits_per_second use base unit "bytes" instead of "bits"'];

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const file = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
  return file.groups.flatMap((group) => group.rules);
}

const COMPARISONS = ['==', '!=', '>=', '<=', '>', '<'];

/**
 * `LEFT op RIGHT` → `LEFT op bool RIGHT`: the same comparison, returning 0 or 1 for every matched
 * series instead of only those that pass. An alert's bool form returns data whenever its inputs
 * exist and match, in a healthy state too. Throws unless the expression has exactly one comparison
 * outside parentheses, braces, brackets and strings.
 */
export function boolForm(expr: string): string {
  const found: Array<{ at: number; op: string }> = [];
  let depth = 0;
  for (let i = 0; i < expr.length; i += 1) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string in ${expr}`);
      i = end;
    } else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (depth === 0) {
      const op = COMPARISONS.find((o) => expr.startsWith(o, i));
      if (op) {
        found.push({ at: i, op });
        i += op.length - 1;
      }
    }
  }
  if (found.length !== 1) throw new Error(`expected one top-level comparison, found ${found.length} in: ${expr}`);
  const { at, op } = found[0]!;
  const rest = expr.slice(at + op.length);
  if (/^\s*bool\b/.test(rest)) throw new Error(`already a bool comparison: ${expr}`);
  return `${expr.slice(0, at + op.length)} bool${rest}`;
}

export interface DashboardQuery {
  panel: string;
  expr: string;
}

interface Panel { title: string; targets?: Array<{ expr?: string }>; panels?: Panel[] }
interface Variable { name: string; type: string; allValue?: string; query?: { query?: string } | string }
interface Dashboard { panels: Panel[]; templating: { list: Variable[] } }

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/**
 * Every panel's queries, as Grafana would send them with every variable at "All" and
 * `$__rate_interval` and `$__range` set to the given windows.
 */
export function dashboardQueries({ rateInterval, range }: { rateInterval: string; range: string }): DashboardQuery[] {
  const board = dashboard();
  const substitutions: Array<[RegExp, string]> = [[/\$__rate_interval\b/g, rateInterval], [/\$__range\b/g, range]];
  for (const variable of board.templating.list) {
    if (variable.type !== 'query') continue;
    if (variable.allValue === undefined) throw new Error(`dashboard variable ${variable.name} has no allValue`);
    substitutions.push([new RegExp(`\\$\\{${variable.name}\\}|\\$${variable.name}\\b`, 'g'), variable.allValue]);
  }
  const queries: DashboardQuery[] = [];
  const walk = (panels: readonly Panel[]): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr === undefined) continue;
        let expr = target.expr;
        for (const [pattern, value] of substitutions) expr = expr.replace(pattern, value);
        queries.push({ panel: panel.title, expr });
      }
      walk(panel.panels ?? []);
    }
  };
  walk(board.panels);
  return queries;
}

/** The `label_values(METRIC, LABEL)` queries of the dashboard's variables. */
export function dashboardVariableQueries(): Array<{ variable: string; metric: string; label: string }> {
  return dashboard().templating.list.filter((v) => v.type === 'query').map((v) => {
    const text = typeof v.query === 'string' ? v.query : v.query?.query ?? '';
    const match = /^label_values\(\s*([^,\s]+)\s*,\s*(\w+)\s*\)$/.exec(text);
    if (!match) throw new Error(`dashboard variable ${v.name}: not label_values(METRIC, LABEL): ${text}`);
    return { variable: v.name, metric: match[1]!, label: match[2]! };
  });
}
