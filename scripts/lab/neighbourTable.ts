import { readFileSync, writeFileSync } from 'node:fs';
import type { LabPlan } from './labPlan.js';

/*
 * Linux keeps one neighbour table per kernel, shared by every namespace, and its cap
 * (gc_thresh3, 1024 by default) exists only in the root namespace. A full mesh of 32 lab hosts
 * needs about 1056 entries: beyond the cap the kernel silently drops packets to unresolved
 * neighbours, which reads as a dead peer (docs/namespace-lab.md, docs/pmtud.md). So a lab that
 * needs more raises the cap before it starts; it never lowers it, since other labs may be up.
 */

const TABLES = ['ipv4', 'ipv6'] as const;

/** Neighbour entries a lab can hold at once: every L3 interface learns every other on its segment. */
export function neighbourEntriesNeeded(plan: LabPlan): number {
  const perSegment = new Map<number, number>();
  for (const list of plan.interfaces.values()) {
    for (const itf of list) if (itf.segment !== undefined) perSegment.set(itf.segment, (perSegment.get(itf.segment) ?? 0) + 1);
  }
  // The management segment: the controller talks to every host, each host to the controller.
  const management = 2 * plan.hosts.length;
  return [...perSegment.values()].reduce((sum, k) => sum + k * (k - 1), management);
}

function readThreshold(table: string, name: string): number {
  return Number(readFileSync(`/proc/sys/net/${table}/neigh/default/${name}`, 'utf8').trim());
}

/**
 * Raises gc_thresh2/gc_thresh3 (v4 and v6) so that `entries` fit with room for other labs; returns
 * what it changed, for the lab's log. Leaves larger values alone.
 */
export function ensureNeighbourTable(entries: number): string[] {
  const changed: string[] = [];
  // Room for two such labs at once (parallel test files), and the soft limit well below the cap.
  const hard = Math.max(1024, 2 * entries);
  const soft = Math.max(512, entries);
  for (const table of TABLES) {
    for (const [name, value] of [['gc_thresh2', soft], ['gc_thresh3', hard]] as const) {
      if (readThreshold(table, name) >= value) continue;
      writeFileSync(`/proc/sys/net/${table}/neigh/default/${name}`, `${value}\n`);
      changed.push(`net.${table}.neigh.default.${name}=${value}`);
    }
  }
  return changed;
}
