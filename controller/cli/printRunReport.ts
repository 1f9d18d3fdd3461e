import { writeFile } from 'node:fs/promises';
import { PathprobeError } from '../../proto/errorCodes.js';
import type { ComparedRunReport } from '../diff/runComparison.js';
import { renderDiffTable } from '../diff/diffTable.js';
import { renderRunHtml } from '../report/html/renderRunHtml.js';
import { runSummary } from '../report/runSummary.js';
import { jsonLines } from '../render/jsonLines.js';
import { writeChunks } from './writeChunks.js';

/** Prints a finished (or interrupted) run as asked and writes its HTML report. */
export async function printRunReport(report: ComparedRunReport, argv: { json: boolean; html?: string }): Promise<void> {
  const diffTable = report.comparison ? `\nchanges since ${report.comparison.against === 'baseline' ? 'baseline' : 'run'} ${report.comparison.baselineRunId}:\n${renderDiffTable(report.comparison)}` : '';
  // A run's JSON is written a pair at a time: at fabric scale it is far too large for one string.
  await writeChunks(process.stdout, argv.json ? jsonLines(report, ['pairs']) : [runSummary(report) + diffTable]);
  if (argv.html !== undefined) {
    await writeFile(argv.html, renderRunHtml(report)).catch((error: NodeJS.ErrnoException) => {
      throw new PathprobeError('ERR_USAGE', `cannot write --html ${argv.html}: ${error.code ?? error.message}`, { cause: error });
    });
  }
}
