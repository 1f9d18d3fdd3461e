import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Who owns a lab: written before its first namespace exists and removed after its last is gone,
 * so a stale-lab sweep running next to a live test can tell "crashed" from "being built".
 * /run is tmpfs, like /run/netns: tags and namespaces vanish together at reboot.
 */
export const LAB_TAG_DIR = '/run/pathprobe-lab';

export interface LabOwnerTag {
  labId: string;
  ownerPid: number;
  /** /proc/<pid>/stat starttime, so a recycled PID is not mistaken for the owner. */
  ownerStartTicks: string;
  topologyName: string;
  createdAtIso: string;
}

export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterComm[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

function tagPath(labId: string): string {
  return `${LAB_TAG_DIR}/${labId}.json`;
}

export function writeLabOwnerTag(labId: string, topologyName: string): void {
  mkdirSync(LAB_TAG_DIR, { recursive: true });
  const tag: LabOwnerTag = {
    labId,
    ownerPid: process.pid,
    ownerStartTicks: processStartTicks(process.pid) ?? '',
    topologyName,
    createdAtIso: new Date().toISOString(),
  };
  writeFileSync(tagPath(labId), JSON.stringify(tag) + '\n');
}

export function readLabOwnerTag(labId: string): LabOwnerTag | undefined {
  try {
    return JSON.parse(readFileSync(tagPath(labId), 'utf8')) as LabOwnerTag;
  } catch {
    return undefined;
  }
}

export function removeLabOwnerTag(labId: string): void {
  rmSync(tagPath(labId), { force: true });
}

export function listLabOwnerTagIds(): string[] {
  try {
    return readdirSync(LAB_TAG_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}

/** True only when the tag's owner process is still the same running process. */
export function isLabOwnerAlive(tag: LabOwnerTag | undefined): boolean {
  if (!tag) return false;
  const ticks = processStartTicks(tag.ownerPid);
  return ticks !== undefined && ticks === tag.ownerStartTicks;
}
