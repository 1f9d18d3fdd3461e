import type { TestKindName } from '../model/plan.js';
import { pmtuKind } from '../pmtu/pmtuKind.js';
import { throughputKind } from '../throughput/throughputKind.js';
import type { TestKind } from './testKind.js';

/** Every test kind, in the order a run measures them. A new kind is one folder and one line here. */
export const TEST_KINDS: readonly TestKind[] = [
  pmtuKind,
  throughputKind,
];

/** The kinds a plan's `tests` name, with the kinds they require, in run order. */
export function testKindsOf(names: readonly TestKindName[]): TestKind[] {
  const wanted = new Set<TestKindName>();
  const add = (name: TestKindName): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const required of TEST_KINDS.find((kind) => kind.name === name)?.requires ?? []) add(required);
  };
  names.forEach(add);
  return TEST_KINDS.filter((kind) => wanted.has(kind.name));
}
