import { formatBitsPerSecond, formatPercent } from '../render/throughputFormat.js';
import type { Pair } from '../model/pair.js';
import type { DiffChange, DiffValue, EnvironmentKind, PairDiff, RunDiff } from '../model/runDiff.js';
import { flowClassesText } from '../pmtu/flowClassesText.js';

/*
 * `pathprobe diff` for the terminal: per changed pair and direction a before | after | change
 * table; unchanged pairs in one line; environment changes listed once more at the end. Pure.
 */

const ENV_LABEL: Record<EnvironmentKind, string> = {
  'nic-mtu': 'NIC MTU', 'nic-speed': 'link speed', 'nic-driver': 'driver', 'nic-addresses': 'addresses', 'nic-name': 'NIC',
  'agent-version': 'agent version', kernel: 'kernel', 'iperf-version': 'iperf3',
};

const isEnv = (c: DiffChange): boolean => c.category === 'environment';

function pairLabel(pair: Pair): string {
  return `${pair.a.agent} ${pair.a.address} ↔ ${pair.b.agent} ${pair.b.address}`;
}

function shortPair(pair: Pair): string {
  return `${pair.a.agent}↔${pair.b.agent}`;
}

function value(c: DiffChange, v: DiffValue, side: 'before' | 'after'): string {
  if (c.flowClasses) return flowClassesText(c.flowClasses[side]);
  if (v === null) return '-';
  if (c.kind === 'throughput' && typeof v === 'number') {
    const s = c.cell?.[side];
    return `${formatBitsPerSecond(v)}${s ? ` ×${s.okRepeats}` : ''}`;
  }
  if (c.kind === 'nic-speed' && typeof v === 'number') return `${v} Mbit/s`;
  return String(v);
}

function what(c: DiffChange): string {
  switch (c.kind) {
    case 'path-mtu': return c.flowClasses ? 'flow classes' : 'path MTU';
    case 'verdict': return 'verdict';
    case 'throughput':
    case 'cell-status': return `throughput ${c.subject ?? ''}`;
    case 'sweet-spot': return `sweet spot ${c.subject ?? ''}`;
    case 'jumbo-verdict': return 'jumbo verdict';
    case 'pair-added': return 'pair';
    case 'pair-removed': return 'pair';
    default: return `${c.subject ?? ''} ${ENV_LABEL[c.kind]}`;
  }
}

function changeText(c: DiffChange): string {
  switch (c.kind) {
    case 'path-mtu':
      if (c.flowClasses) return c.regression ? 'worse' : c.significant ? 'changed' : 'changed (noise)';
      return typeof c.before === 'number' && typeof c.after === 'number'
        ? `${c.after > c.before ? '+' : '−'}${Math.abs(c.after - c.before)}` : 'changed';
    case 'verdict':
    case 'jumbo-verdict':
      return c.regression ? 'worse' : c.significant ? 'changed' : 'changed (noise)';
    case 'throughput': {
      const rel = c.cell?.relativeChange;
      const pct = typeof rel === 'number' ? `${rel >= 0 ? '+' : '−'}${formatPercent(Math.abs(rel))}` : '';
      const judged = c.cell?.judgement === 'beyond-noise' ? 'beyond noise'
        : c.cell?.judgement === 'within-noise' ? 'within noise' : 'single sample, not judged';
      return `${pct} ${judged}`.trim();
    }
    case 'cell-status': return c.regression ? 'no longer measures' : 'status changed';
    case 'sweet-spot': return c.significant ? 'moved' : 'moved (noise)';
    default: return isEnv(c) ? 'may explain' : 'changed';
  }
}

interface Line { cols: [string, string, string, string]; flag: string; note: string | null }

function changeLine(c: DiffChange): Line {
  return {
    cols: [what(c), value(c, c.before, 'before'), value(c, c.after, 'after'), changeText(c)],
    flag: c.regression ? 'REGRESSION' : '',
    note: c.regression || ((c.kind === 'verdict' || c.flowClasses) && c.significant) ? c.explanation : null,
  };
}

const HEAD = ['', 'before', 'after', 'change'] as const;

function columnWidths(lines: readonly Line[]): number[] {
  return HEAD.map((h, i) => Math.max(h.length, ...lines.map((l) => l.cols[i]!.length)));
}

function renderRow(cols: readonly string[], widths: readonly number[], flag = ''): string {
  return `    ${cols.map((c, i) => c.padEnd(widths[i]!)).join('  ')}${flag ? `  ${flag}` : ''}`.trimEnd();
}

function renderLines(lines: readonly Line[], widths: readonly number[]): string[] {
  return lines.flatMap((l) => [renderRow(l.cols, widths, l.flag), ...(l.note ? [`      ↳ ${l.note}`] : [])]);
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

export function renderDiffTable(diff: RunDiff): string {
  const out: string[] = [];
  const s = diff.summary;
  out.push(`pathprobe diff ${diff.base.runId} (${when(diff.base.startedAt)}) → ${diff.next.runId} (${when(diff.next.startedAt)})`);
  const regressedPairs = diff.pairs.filter((p) => p.regressed).length;
  out.push(diff.regressed
    ? `REGRESSED: ${s.regressions} regression${s.regressions === 1 ? '' : 's'} on ${regressedPairs} pair${regressedPairs === 1 ? '' : 's'}`
    : 'no regression');
  out.push(`${s.pairsCompared} pairs compared (${s.pairsChanged} changed, ${s.pairsUnchanged} unchanged), ${s.pairsAdded} added, ${s.pairsRemoved} removed; `
    + `throughput counts beyond the repeats' noise and ${formatPercent(diff.throughputThreshold)}`);

  // One set of column widths for every direction table, so the columns line up down the page.
  const changed = diff.pairs.filter((p) => p.status === 'compared' && p.changed);
  const widths = columnWidths(changed.flatMap((p) => p.directions.flatMap((d) => d.changes.map(changeLine))));
  for (const p of changed) {
    out.push('');
    out.push(`${pairLabel(p.pair)}${p.regressed ? '  REGRESSED' : ''}`);
    for (const d of p.directions) {
      if (!d.changes.length) continue;
      out.push(`  ${d.route} (${d.direction})`);
      out.push(renderRow(HEAD, widths));
      out.push(...renderLines(d.changes.map(changeLine), widths));
    }
  }

  const lifecycle = diff.pairs.filter((p: PairDiff) => p.status !== 'compared');
  if (lifecycle.length) {
    out.push('');
    for (const p of lifecycle) out.push(`${p.status === 'added' ? '+' : '-'} ${pairLabel(p.pair)}  ${p.status}: ${p.changes[0]?.explanation ?? ''}`);
  }

  const unchanged = diff.pairs.filter((p) => p.status === 'compared' && !p.changed);
  if (unchanged.length) {
    const names = unchanged.slice(0, 8).map((p) => shortPair(p.pair)).join(', ');
    out.push('');
    out.push(`unchanged: ${unchanged.length} pair${unchanged.length === 1 ? '' : 's'} (${names}${unchanged.length > 8 ? `, … ${unchanged.length - 8} more` : ''})`);
  }

  if (diff.environment.length) {
    out.push('');
    out.push('environment changes:');
    for (const e of diff.environment) out.push(`  ${e.explanation} (${e.pairs.length} pair${e.pairs.length === 1 ? '' : 's'})`);
  }
  return out.join('\n') + '\n';
}
