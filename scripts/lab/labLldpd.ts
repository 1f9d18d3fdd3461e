import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabExecOptions, LabSpawnOptions } from './lab.js';
import type { LabPlan } from './labPlan.js';
import type { RunResult, StartedProcess } from './run.js';
import { systemTool } from './systemTools.js';

/*
 * lldpd in lab namespaces (docs/namespace-lab.md, "LLDP"). Facts of lldpd 1.0.16 this relies on:
 * - `-d` keeps it in the foreground and in its own process group, a child of the lab's runner, so
 *   down() stops it like any spawned process (it sends a shutdown LLDPDU, TTL 0, on SIGTERM).
 * - It drops to user _lldpd before it creates its control socket (`-u`), so the socket's
 *   directory must belong to _lldpd: in a root-only directory lldpctl gets "Permission denied".
 * - `-O FILE` replaces /etc/lldpd.conf and /etc/lldpd.d as the lldpcli commands run at start,
 *   and lldpd sends nothing until they are done: the first LLDPDU already carries the system
 *   name and the 1 s interval (no advertisement with the machine's hostname, no 30 s wait).
 * - `-I a,b` limits it to those interfaces: mgmt0 stays silent, and a switch speaks on its bridge
 *   ports (the veth ends), never on br0. A Linux bridge does not forward 01:80:c2:00:00:0e, so
 *   each host NIC hears only the switch port it is plugged into.
 * - A port's description is its ifalias when it has one (switch ports get "h1 eth0": the node and
 *   NIC behind them), else its name; `portidsubtype ifname` makes a switch's port id `to-h1`
 *   instead of its MAC, as real switches name their ports.
 */

/** Advertisement interval; TTL is 4 × this (tx-hold 4), so a stopped neighbour is gone within 4 s. */
export const LLDP_TX_INTERVAL_S = 1;
const READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 100;

export interface LldpNodeRunner {
  labId: string;
  exec(node: string, argv: string[], opts?: LabExecOptions): Promise<RunResult>;
  spawn(node: string, argv: string[], opts?: LabSpawnOptions): StartedProcess;
}

/** The lab's lldpds: where each one's control socket is, and the removal of their directory. */
export interface LabLldpd {
  /** The control socket of the node's lldpd, or null when the node runs none. */
  socketOf(node: string): string | null;
  /** Removes the sockets and configuration; call after the processes are gone. */
  remove(): void;
}

/** uid and gid of lldpd's unprivileged user, read from /etc/passwd (Node has no getpwnam). */
function lldpdUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('_lldpd:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('lab: user _lldpd not found (is lldpd installed? run scripts/setup)');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The interfaces a node's lldpd speaks on, each with the description it should advertise (undefined: its own name). */
function lldpInterfacesOf(plan: LabPlan, node: string): Array<{ ifName: string; description?: string }> {
  const host = plan.hosts.find((h) => h.spec.name === node);
  if (host) return host.nics.map((n) => ({ ifName: n.ifName }));
  return plan.links
    .filter((l) => !l.management && (l.a.node === node || l.b.node === node))
    .map((l) => {
      const [own, peer] = l.a.node === node ? [l.a, l.b] : [l.b, l.a];
      return { ifName: own.ifName, description: `${peer.node} ${peer.ifName}` };
    });
}

function configFor(node: string, isSwitch: boolean): string {
  return [
    `configure system hostname ${node}`,
    `configure lldp tx-interval ${LLDP_TX_INTERVAL_S}`,
    ...(isSwitch ? ['configure lldp portidsubtype ifname'] : []),
    '',
  ].join('\n');
}

async function waitUntilReady(runner: LldpNodeRunner, node: string, socket: string, proc: StartedProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!proc.running()) {
      const r = await proc.result;
      throw new Error(`lab ${runner.labId}: lldpd in ${node} exited (${r.exitCode ?? r.signal}): ${r.stderr.trim()}`);
    }
    // Ready once the socket answers with our system name: the -O commands have then run.
    const r = await runner.exec(node, [systemTool('lldpcli'), '-u', socket, '-f', 'json', 'show', 'chassis'], { timeoutMs: 2_000 });
    if (r.exitCode === 0 && r.stdout.includes(`"${node}"`)) return;
    if (Date.now() > deadline) throw new Error(`lab ${runner.labId}: lldpd in ${node} not ready after ${READY_TIMEOUT_MS} ms: ${r.stderr.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/**
 * Starts one lldpd per node of plan.lldpNodes through the runner's spawn (so the lab's down()
 * stops them), each with its socket and configuration in one temp directory, and waits until
 * every one answers. On failure it removes its directory and leaves the processes to the caller's down().
 */
export async function startLabLldpd(plan: LabPlan, runner: LldpNodeRunner): Promise<LabLldpd> {
  const sockets = new Map<string, string>();
  if (plan.lldpNodes.length === 0) return { socketOf: () => null, remove: () => undefined };
  const { uid, gid } = lldpdUser();
  const dir = mkdtempSync(join(tmpdir(), `pp${runner.labId}-lldp-`));
  const lldpd: LabLldpd = {
    socketOf: (node) => sockets.get(node) ?? null,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  try {
    chownSync(dir, uid, gid);
    await Promise.all(
      plan.lldpNodes.map(async (node) => {
        const isSwitch = plan.kinds.get(node) === 'switch';
        const interfaces = lldpInterfacesOf(plan, node);
        // An empty -I would mean every interface, mgmt0 included.
        if (interfaces.length === 0) throw new Error(`lab ${runner.labId}: ${node} has no data interface for lldpd`);
        for (const itf of interfaces) {
          if (itf.description !== undefined) {
            const r = await runner.exec(node, ['ip', 'link', 'set', 'dev', itf.ifName, 'alias', itf.description]);
            if (r.exitCode !== 0) throw new Error(`lab ${runner.labId}: alias on ${node} ${itf.ifName}: ${r.stderr.trim()}`);
          }
        }
        const socket = join(dir, `${node}.sock`);
        const config = join(dir, `${node}.conf`);
        writeFileSync(config, configFor(node, isSwitch), { mode: 0o644 });
        const proc = runner.spawn(node, [
          systemTool('lldpd'), '-d', '-u', socket, '-O', config, '-L', systemTool('lldpcli'),
          '-I', interfaces.map((i) => i.ifName).join(','),
        ]);
        sockets.set(node, socket);
        await waitUntilReady(runner, node, socket, proc);
      }),
    );
  } catch (err) {
    // The caller's down() stops the processes; their directory is ours to remove.
    lldpd.remove();
    throw err;
  }
  return lldpd;
}
