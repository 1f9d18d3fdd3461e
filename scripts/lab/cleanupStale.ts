import { isLabOwnerAlive, listLabOwnerTagIds, readLabOwnerTag, removeLabOwnerTag } from './labOwnerTag.js';
import { labIdOfNetns } from './labNaming.js';
import { listNetns, removeNamespaces } from './removeNamespaces.js';

export interface StaleCleanupReport {
  removedNetns: string[];
  /** Namespaces of labs whose owner process is still running: left alone. */
  keptLiveNetns: string[];
  failedNetns: string[];
}

/**
 * Deletes namespaces left by crashed lab runs: only names matching LAB_NETNS_PATTERN, and only when
 * the lab's owner process is gone (its tag is written before its first namespace), so it is safe to
 * call while other test files have labs up.
 */
export async function cleanupStale(): Promise<StaleCleanupReport> {
  const byLab = new Map<string, string[]>();
  for (const netns of await listNetns()) {
    const labId = labIdOfNetns(netns);
    if (labId !== undefined) byLab.set(labId, [...(byLab.get(labId) ?? []), netns]);
  }
  const report: StaleCleanupReport = { removedNetns: [], keptLiveNetns: [], failedNetns: [] };
  for (const [labId, names] of byLab) {
    if (isLabOwnerAlive(readLabOwnerTag(labId))) {
      report.keptLiveNetns.push(...names);
      continue;
    }
    const failed = await removeNamespaces(names);
    report.failedNetns.push(...failed);
    report.removedNetns.push(...names.filter((n) => !failed.includes(n)));
    if (failed.length === 0) removeLabOwnerTag(labId);
  }
  // Tags of crashed labs whose namespaces are already gone.
  for (const labId of listLabOwnerTagIds()) {
    if (!byLab.has(labId) && !isLabOwnerAlive(readLabOwnerTag(labId))) removeLabOwnerTag(labId);
  }
  return report;
}
