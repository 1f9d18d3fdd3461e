import type { Family, ToolRun } from './toolRuns.js';

export interface BenchRow {
  path: string;
  family: Family;
  truthBytes: number;
  pathprobe: ToolRun;
  tracepath: ToolRun;
  scamper: ToolRun;
}

/** A run is correct only when it finished on its own and its value is the path's truth. */
export function isCorrect(run: ToolRun, truthBytes: number): boolean {
  return run.failure === null && run.mtuBytes === truthBytes;
}

function secondsText(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 100) return `${s.toFixed(1)}s`;
  return `${Math.round(s)}s`;
}

function valueText(run: ToolRun, truthBytes: number): string {
  const value = run.timedOut ? 't/o' : run.mtuBytes === null ? 'none' : String(run.mtuBytes);
  return `${value} ${isCorrect(run, truthBytes) ? 'ok' : 'WRONG'}`;
}

/** Wall time of the tool over pathprobe's whole CLI run; ">" when the tool was cut off, so the true ratio is larger. */
function ratioText(tool: ToolRun, pathprobe: ToolRun): string {
  if (pathprobe.wallMs <= 0) return '-';
  const ratio = tool.wallMs / pathprobe.wallMs;
  const text = ratio < 0.1 ? `${ratio.toFixed(2)}x` : ratio < 10 ? `${ratio.toFixed(1)}x` : `${Math.round(ratio)}x`;
  return tool.timedOut ? `>${text}` : text;
}

const right = (s: string, w: number): string => s.padStart(w);
const left = (s: string, w: number): string => s.padEnd(w);

// Column widths; the whole line stays under 120 characters.
const W = { path: 15, truth: 5, value: 10, time: 5, ppProbes: 8, wire: 4, ratio: 5 };

function toolCells(run: ToolRun, truthBytes: number): string {
  return `${left(valueText(run, truthBytes), W.value)} ${right(secondsText(run.wallMs), W.time)} ${right(String(run.wire.packets), W.wire)}`;
}

function rowLine(row: BenchRow): string {
  const pp = row.pathprobe;
  const sweep = pp.sweepElapsedMs === null ? '-' : secondsText(pp.sweepElapsedMs);
  const probes = `${pp.ownProbes ?? '-'}/${pp.wire.packets}`;
  return [
    `${left(`${row.path} ${row.family}`, W.path)} ${right(String(row.truthBytes), W.truth)}`,
    `${left(valueText(pp, row.truthBytes), W.value)} ${right(sweep, W.time)} ${right(secondsText(pp.wallMs), W.time)} ${right(probes, W.ppProbes)}`,
    toolCells(row.tracepath, row.truthBytes),
    toolCells(row.scamper, row.truthBytes),
    `${right(ratioText(row.tracepath, pp), W.ratio)} ${right(ratioText(row.scamper, pp), W.ratio)}`,
  ].join(' | ');
}

export function formatTable(rows: readonly BenchRow[]): string {
  const ppWidth = W.value + W.time * 2 + W.ppProbes + 3;
  const toolWidth = W.value + W.time + W.wire + 2;
  const ratioWidth = W.ratio * 2 + 1;
  const head1 = [
    left('', W.path + W.truth + 1),
    left('pathprobe (forward)', ppWidth),
    left('tracepath', toolWidth),
    left('scamper trace -M', toolWidth),
    left('time ratio', ratioWidth),
  ].join(' | ');
  const head2 = [
    `${left('path', W.path)} ${right('truth', W.truth)}`,
    `${left('value', W.value)} ${right('sweep', W.time)} ${right('wall', W.time)} ${right('own/wire', W.ppProbes)}`,
    `${left('value', W.value)} ${right('wall', W.time)} ${right('wire', W.wire)}`,
    `${left('value', W.value)} ${right('wall', W.time)} ${right('wire', W.wire)}`,
    `${right('tp/pp', W.ratio)} ${right('sc/pp', W.ratio)}`,
  ].join(' | ');
  const rule = '-'.repeat(head2.length);
  return [head1, head2, rule, ...rows.map(rowLine), rule].join('\n');
}

/** The lines under the table: what each tool said besides its number, and every run that did not finish. */
export function formatNotes(rows: readonly BenchRow[]): string[] {
  const notes: string[] = [];
  for (const row of rows) {
    for (const run of [row.pathprobe, row.tracepath, row.scamper]) {
      const parts = [run.failure, run.detail].filter((p): p is string => p !== null && p !== '');
      notes.push(`${row.path} ${row.family} ${run.tool}: ${parts.join('; ') || '-'}; wire ${run.wire.packets} packets, ${run.wire.bigPackets} > 100 B`);
    }
  }
  return notes;
}
