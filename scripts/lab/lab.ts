import type { RunResult, StartedProcess } from './run.js';
import type { NodeKind, Topology } from './topology.js';

/** One data NIC of a lab host, on a segment of its own. */
export interface LabHostNic {
  /** `eth0`, `eth1`, … in the order of the host's links. */
  ifName: string;
  v4: string;
  v6: string;
  mtuBytes: number;
  /** The switch this NIC hangs off (e.g. `tora`); absent when it is linked to a router. */
  switch?: string;
}

export interface LabHost {
  name: string;
  netns: string;
  /** The first data NIC inside the host namespace (always `eth0`). */
  dataNic: string;
  nicMtuBytes: number;
  /** Addresses of the first data NIC (`eth0`); nics has the others. */
  v4: string;
  v6: string;
  /** Every data NIC in order, the first (eth0, v4, v6 above) included. */
  nics: LabHostNic[];
  /** IPv4 on mgmt0, 198.19.0.n. */
  mgmtAddress: string;
  /** The switch the first data NIC hangs off (e.g. `tor1`); absent when the host is linked to a router. */
  switch?: string;
  /** The host's end of the topology's VXLAN overlay, if it has one. */
  overlay?: { nic: string; mtuBytes: number; v4: string; v6: string };
}

export interface LabExecOptions {
  timeoutMs?: number;
  input?: string;
  signal?: AbortSignal;
}

export interface LabSpawnOptions {
  env?: Record<string, string>;
  /** None by default: agents and servers live until stopped or until down(). */
  timeoutMs?: number;
  /** stdout to this file instead of memory (see StartOptions.stdoutFile). */
  stdoutFile?: string;
}

/** A running lab built by labUp. */
export interface Lab {
  id: string;
  topology: Topology;
  hosts: Record<string, LabHost>;
  /** On the management net at 198.19.0.254; the root namespace is never connected. */
  controllerNetns: string;
  /** Every node (hosts, switches, routers, `ctl`, `mgsw`) and its kind. */
  nodeKinds: Record<string, NodeKind>;
  /** All namespaces of this lab. */
  namespaces: string[];
  /** How long labUp took. */
  buildMs: number;
  netnsOf(node: string): string;
  /** Runs argv inside the node's namespace; never throws on a non-zero exit. */
  exec(node: string, argv: string[], opts?: LabExecOptions): Promise<RunResult>;
  /** Long-running process inside the node's namespace, tracked and stopped by down(). */
  spawn(node: string, argv: string[], opts?: LabSpawnOptions): StartedProcess;
  /**
   * The control socket of the node's lldpd (for `lldpctl -u` / `lldpcli -u` run through exec), or
   * null when the node runs none (topology.lldp). Throws for an unknown node.
   */
  lldpSocketOf(node: string): string | null;
  /** `ip route flush cache` v4 and v6 in every host, router and the controller (entries live 600 s). */
  flushPmtuCaches(): Promise<void>;
  /** Kills what spawn() started, then everything `ip netns pids` lists, then deletes the namespaces. Idempotent. */
  down(): Promise<void>;
}
