import type { DirectionDiffInput } from '../kinds/testKind.js';
import type { PairDirectionView } from '../model/pairDirections.js';
import type { DiffChange } from '../model/runDiff.js';
import { verdictGotWorse } from '../model/verdicts.js';
import { diffFlowClasses } from './diffFlowClasses.js';

function verdictText(d: PairDirectionView): string {
  if (d.error) return `${d.error.code}: ${d.error.message}`;
  return d.report && d.report.verdict !== 'error' ? d.report.explanation : '';
}

const coverageOf = (d: PairDirectionView) => (d.report && d.report.verdict !== 'error' ? d.report.flows : null);

/**
 * Path-MTU, verdict and flow-class changes of one direction: every path-MTU and verdict change is
 * significant, a lower MTU or a worse verdict regresses; flow classes count when a class appears
 * or goes or a share moves beyond the sampling noise (diffFlowClasses.ts). Pure.
 */
export function diffPmtuDirection({ pairId, base: before, next: after }: DirectionDiffInput): DiffChange[] {
  const { direction } = after;
  const changes: DiffChange[] = [];
  const common = { pairId, direction, category: 'path-mtu' as const, subject: null };
  if (before.verdict === null || after.verdict === null) {
    if (before.verdict !== after.verdict) {
      changes.push({
        ...common, kind: 'verdict', before: before.verdict, after: after.verdict, significant: true, regression: false,
        explanation: after.verdict === null ? 'the path MTU was not measured in the newer run' : 'the path MTU was not measured in the older run',
      });
    }
    return changes;
  }
  if (before.pathMtu !== after.pathMtu) {
    const down = before.pathMtu !== null && after.pathMtu !== null && after.pathMtu < before.pathMtu;
    changes.push({
      ...common, kind: 'path-mtu', before: before.pathMtu, after: after.pathMtu, significant: true, regression: down,
      explanation: `path MTU ${before.pathMtu ?? 'none'} → ${after.pathMtu ?? 'none'}${down ? ': larger packets no longer get through' : ''}`,
    });
  }
  const flowClasses = diffFlowClasses(coverageOf(before), coverageOf(after), { ...common, before: before.pathMtu, after: after.pathMtu });
  if (flowClasses) changes.push(flowClasses);
  if (before.verdict !== after.verdict) {
    const worse = verdictGotWorse(before.verdict, after.verdict);
    const why = verdictText(after);
    changes.push({
      ...common, kind: 'verdict', before: before.verdict, after: after.verdict, significant: true, regression: worse,
      explanation: `verdict ${before.verdict} → ${after.verdict}${worse ? ' (worse)' : ''}${why ? `: ${why}` : ''}`,
    });
  }
  return changes;
}
