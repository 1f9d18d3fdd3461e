import { existsSync } from 'node:fs';
import type { Lab, LabHost } from './lab.js';
import { BRIDGE_NAME, CONTROLLER_NODE, MGMT_MTU_BYTES, VXLAN_UDP_PORT, planLab } from './labPlan.js';
import type { LabPlan, PlannedInterface } from './labPlan.js';
import type { RouterSpec } from './topology.js';
import { LAB_ID_PATTERN, labIdOfNetns, netnsName, newLabId } from './labNaming.js';
import { removeLabOwnerTag, writeLabOwnerTag } from './labOwnerTag.js';
import { listNetns, removeNamespaces } from './removeNamespaces.js';
import { run, runOrThrow, start } from './run.js';
import type { StartedProcess } from './run.js';
import { waitForLinksUp } from './waitForLinksUp.js';
import { startLabLldpd } from './labLldpd.js';
import type { LabLldpd } from './labLldpd.js';
import { resolveSystemCommand, systemTool } from './systemTools.js';
import type { NodeKind, Topology } from './topology.js';
import { ensureNeighbourTable, neighbourEntriesNeeded } from './neighbourTable.js';

export interface LabUpOptions {
  /** Reuse a fixed id (6 hex digits): whatever exists under it is torn down first. Default: random. */
  id?: string;
}

const COMMON_SYSCTLS = [
  // DAD would hold new IPv6 addresses "tentative" for a second; RAs and redirects would add routes we did not plan.
  'net.ipv6.conf.all.accept_dad=0',
  'net.ipv6.conf.default.accept_dad=0',
  'net.ipv6.conf.all.accept_ra=0',
  'net.ipv6.conf.default.accept_ra=0',
  'net.ipv6.conf.all.router_solicitations=0',
  'net.ipv6.conf.default.router_solicitations=0',
  'net.ipv6.conf.all.accept_redirects=0',
  'net.ipv6.conf.default.accept_redirects=0',
  'net.ipv4.conf.all.accept_redirects=0',
  'net.ipv4.conf.default.accept_redirects=0',
  'net.ipv4.conf.all.send_redirects=0',
  'net.ipv4.conf.default.send_redirects=0',
  // Asymmetric designs route replies another way; strict rp_filter would drop them.
  'net.ipv4.conf.all.rp_filter=0',
  'net.ipv4.conf.default.rp_filter=0',
  // 1 would let TCP hide silent caps from throughput tests.
  'net.ipv4.tcp_mtu_probing=0',
];

/**
 * ECMP routes (parallel links) spread flows by L4 5-tuple, as a real router does. Policy 1 ("L4")
 * is not that here: for a forwarded packet that still carries its sender's socket hash (veths
 * across namespaces keep skb->hash), policy 1 short-circuits to that hash, which is random per
 * connection and re-drawn on every TCP RTO, so the same 5-tuple took a different path from one run
 * to the next (seen: --cport 40000 on link 1, then link 2). Policy 3 with fields 0x37 (src/dst
 * address, protocol, src/dst port) hashes the headers themselves; with a fixed seed (kernel ≥
 * 6.11, per namespace, v4 and v6) a 5-tuple takes the same path in every lab and run.
 */
let ecmpSysctlsCache: string[] | undefined;

/** Asked of the running kernel on first use, not at import: importing the lab must not touch /proc. */
function ecmpSysctls(): string[] {
  ecmpSysctlsCache ??= existsSync('/proc/sys/net/ipv4/fib_multipath_hash_fields')
    ? [
      'net.ipv4.fib_multipath_hash_policy=3',
      'net.ipv4.fib_multipath_hash_fields=0x0037',
      'net.ipv6.fib_multipath_hash_policy=3',
      'net.ipv6.fib_multipath_hash_fields=0x0037',
      ...(existsSync('/proc/sys/net/ipv4/fib_multipath_hash_seed') ? ['net.ipv4.fib_multipath_hash_seed=1'] : []),
    ]
    : ['net.ipv4.fib_multipath_hash_policy=1', 'net.ipv6.fib_multipath_hash_policy=1'];
  return ecmpSysctlsCache;
}

const ROUTER_SYSCTLS = [
  'net.ipv4.ip_forward=1',
  'net.ipv6.conf.all.forwarding=1',
  // So tests that count ICMP errors see every one (frag-needed/PTB are exempt anyway).
  'net.ipv4.icmp_ratelimit=0',
  'net.ipv6.icmp.ratelimit=0',
];

const SWITCH_SYSCTLS = [
  // br_netfilter is on in every new namespace: it re-fragments non-DF IPv4 and caps at exactly the
  // port MTU, so a lab would look right for the wrong reason. No real switch does that.
  'net.bridge.bridge-nf-call-iptables=0',
  'net.bridge.bridge-nf-call-ip6tables=0',
  'net.bridge.bridge-nf-call-arptables=0',
  // A switch is silent at L3: no link-local addresses, no MLD/ND of its own.
  'net.ipv6.conf.all.disable_ipv6=1',
  'net.ipv6.conf.default.disable_ipv6=1',
];

/**
 * A host with several data NICs (rails) answers ARP only for the addresses of the NIC asked, and
 * sources ARP from that NIC's own address, as rail-optimised hosts are set up. Linux's default
 * (weak host) answers for any of its addresses on any NIC, and a socket bound to eth0 that finds
 * no route assumes the destination is on-link: h1 `ping -I eth0` to h2's eth1 address would then
 * be answered by h2's eth0, and the rails would look joined. IPv6 ND already answers per NIC.
 */
const MULTI_NIC_HOST_SYSCTLS = [
  'net.ipv4.conf.all.arp_ignore=1',
  'net.ipv4.conf.default.arp_ignore=1',
  'net.ipv4.conf.all.arp_announce=2',
  'net.ipv4.conf.default.arp_announce=2',
];

const TBF_LATENCY = '2ms';
const FIRST_VETH_IFINDEX = 100;
const LINKS_UP_TIMEOUT_MS = 3_000;

/** Addresses (0x1, 0x2) and flow label (0x8), no protocol or ports. */
const IPV6_FLOW_LABEL_HASH_FIELDS = 'net.ipv6.fib_multipath_hash_fields=0x000b';

function sysctlsFor(kind: NodeKind, router?: RouterSpec, dataNicCount = 1): string[] {
  if (kind === 'router') {
    const byLabel = router?.ipv6Hash === 'flow-label' ? [IPV6_FLOW_LABEL_HASH_FIELDS] : [];
    return [...COMMON_SYSCTLS, ...ROUTER_SYSCTLS, ...ecmpSysctls(), ...byLabel];
  }
  if (kind === 'switch' || kind === 'mgmtSwitch') return [...COMMON_SYSCTLS, ...SWITCH_SYSCTLS];
  if (kind === 'host' && dataNicCount > 1) return [...COMMON_SYSCTLS, ...MULTI_NIC_HOST_SYSCTLS];
  return COMMON_SYSCTLS;
}

/** Enough tokens for one jumbo frame and for a 4 ms timer tick at the configured rate (HZ 250 worst case). */
function tbfBurstBytes(rateMbit: number): number {
  return Math.max(128 * 1024, Math.ceil((rateMbit * 1e6) / 8 / 250));
}

function tbfArgv(netns: string, dev: string, rateMbit: number): string[] {
  return [
    systemTool('tc'), '-n', netns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf',
    'rate', `${rateMbit}mbit`, 'burst', String(tbfBurstBytes(rateMbit)), 'latency', TBF_LATENCY,
  ];
}

/** ip -batch lines that configure one node after its veths exist. */
function ipBatchFor(plan: LabPlan, node: string, kind: NodeKind): string[] {
  const lines = ['link set lo up'];
  if (kind === 'switch' || kind === 'mgmtSwitch') {
    const ports = plan.links.flatMap((l) => [l.a, l.b]).filter((end) => end.node === node);
    // The bridge's own MTU is set by hand first: once set by the user it no longer follows the
    // smallest port, so one 1500 port does not shrink the whole switch.
    const bridgeMtu = kind === 'mgmtSwitch' ? MGMT_MTU_BYTES : plan.maxMtuBytes;
    lines.push(`link add ${BRIDGE_NAME} type bridge stp_state 0 forward_delay 0`);
    lines.push(`link set ${BRIDGE_NAME} mtu ${bridgeMtu}`);
    for (const port of ports) lines.push(`link set ${port.ifName} master ${BRIDGE_NAME}`, `link set ${port.ifName} up`);
    lines.push(`link set ${BRIDGE_NAME} up`);
    return lines;
  }
  // The VTEP exists before the interface loop below brings it up and gives it its addresses.
  for (const v of plan.vteps.filter((t) => t.node === node)) {
    lines.push(`link add ${v.ifName} type vxlan id ${v.vni} dstport ${VXLAN_UDP_PORT} local ${v.localAddress} remote ${v.remoteAddress} dev ${v.underlayDev}`);
    lines.push(`link set ${v.ifName} mtu ${v.mtuBytes}`);
  }
  const lockBytes = plan.hosts.find((h) => h.spec.name === node)?.spec.sendMtuLockBytes;
  const lock = lockBytes !== undefined ? ` mtu lock ${lockBytes}` : '';
  for (const itf of plan.interfaces.get(node) ?? []) {
    lines.push(`link set ${itf.ifName} up`);
    if (itf.v4 !== undefined) lines.push(`addr add ${itf.v4}/24 dev ${itf.ifName}`);
    if (itf.v6 !== undefined) lines.push(`addr add ${itf.v6}/64 dev ${itf.ifName} nodad`);
    if (lock && itf.segment !== undefined && itf.v4 !== undefined) {
      // The connected routes are the kernel's; replace them in place to add the lock.
      const v4Net = itf.v4.replace(/\.\d+$/, '.0');
      lines.push(`route replace ${v4Net}/24 dev ${itf.ifName} proto kernel scope link src ${itf.v4}${lock}`);
      lines.push(`route replace 2001:2:0:${itf.segment}::/64 dev ${itf.ifName} proto kernel metric 256${lock}`);
    }
  }
  for (const r of plan.routes.get(node) ?? []) {
    if (r.nexthops && r.nexthops.length > 1) {
      const hops = r.nexthops.map((h) => `nexthop via ${h.via} dev ${h.dev} weight 1`).join(' ');
      lines.push(`route add ${r.dest}${lock} ${hops}`);
    } else {
      lines.push(`route add ${r.dest} via ${r.via} dev ${r.dev}${lock}`);
    }
  }
  return lines;
}

/** nft ruleset for one node, or undefined when it needs none. */
function nftRulesetFor(plan: LabPlan, node: string, kind: NodeKind): string | undefined {
  const parts: string[] = [];
  if (kind === 'switch') {
    const capRules: string[] = [];
    for (const link of plan.links) {
      if (!link.cap || link.cap.switchNode !== node) continue;
      const { portIfName, capBytes, direction } = link.cap;
      // ip6 length is the payload length: the whole packet minus the 40-byte fixed header.
      const v6PayloadCap = capBytes - 40;
      const matchers = direction === 'both' ? ['oifname', 'iifname'] : direction === 'toHost' ? ['oifname'] : ['iifname'];
      for (const m of matchers) {
        capRules.push(`    ${m} "${portIfName}" ether type ip ip length > ${capBytes} counter drop`);
        capRules.push(`    ${m} "${portIfName}" ether type ip6 ip6 length > ${v6PayloadCap} counter drop`);
      }
    }
    if (capRules.length > 0) {
      parts.push(
        'table bridge ppcap {',
        '  chain capport {',
        '    type filter hook forward priority -10; policy accept;',
        ...capRules,
        '  }',
        '}',
      );
    }
    const lossPercent = plan.switches.find((s) => s.name === node)?.lossPercent;
    if (lossPercent !== undefined && lossPercent > 0) {
      // mod 10000 gives 0.01 % resolution; the forward hook sees both directions.
      const threshold = Math.round(lossPercent * 100);
      parts.push(
        'table bridge pploss {',
        '  chain randloss {',
        '    type filter hook forward priority 0; policy accept;',
        `    numgen random mod 10000 < ${threshold} counter drop`,
        '  }',
        '}',
      );
    }
  }
  if (kind === 'host') {
    const host = plan.hosts.find((h) => h.spec.name === node);
    if (host?.spec.strictRx) {
      // A veth accepts MTU + 4; a real NIC drops anything above its MTU. One chain per NIC: a
      // netdev hook is bound to one device. The first keeps the name it always had.
      parts.push('table netdev pprx {');
      for (const [k, nic] of host.nics.entries()) {
        parts.push(
          `  chain strictrx${k === 0 ? '' : String(k)} {`,
          `    type filter hook ingress device "${nic.ifName}" priority -10; policy accept;`,
          `    ether type ip ip length > ${nic.mtuBytes} counter drop`,
          `    ether type ip6 ip6 length > ${nic.mtuBytes - 40} counter drop`,
          '  }',
        );
      }
      parts.push('}');
    }
  }
  const forwardCap = kind === 'router' ? plan.routers.find((r) => r.name === node)?.forwardCapBytes : undefined;
  if (forwardCap !== undefined) {
    parts.push(
      'table inet ppfwdcap {',
      '  chain capforward {',
      '    type filter hook forward priority -10; policy accept;',
      `    meta nfproto ipv4 ip length > ${forwardCap} counter drop`,
      // ip6 length is the payload length: the whole packet minus the 40-byte fixed header.
      `    meta nfproto ipv6 ip6 length > ${forwardCap - 40} counter drop`,
      '  }',
      '}',
    );
  }
  const routerLoss = kind === 'router' ? plan.routers.find((r) => r.name === node)?.lossPercent : undefined;
  if (routerLoss !== undefined && routerLoss > 0) {
    // As a switch's: mod 10000 for 0.01 % resolution, every forwarded packet of both directions.
    parts.push(
      'table inet pploss {',
      '  chain randloss {',
      '    type filter hook forward priority 0; policy accept;',
      `    numgen random mod 10000 < ${Math.round(routerLoss * 100)} counter drop`,
      '  }',
      '}',
    );
  }
  if (kind === 'router' && plan.routers.find((r) => r.name === node)?.icmp === false) {
    parts.push(
      'table inet ppbh {',
      '  chain blackhole {',
      '    type filter hook output priority 0; policy accept;',
      '    icmp type destination-unreachable icmp code frag-needed counter drop',
      '    icmpv6 type packet-too-big counter drop',
      '  }',
      '}',
    );
  }
  return parts.length > 0 ? parts.join('\n') + '\n' : undefined;
}

function l3InterfacesOf(plan: LabPlan, node: string): PlannedInterface[] {
  return (plan.interfaces.get(node) ?? []).filter((i) => i.segment !== undefined);
}

async function configureNode(plan: LabPlan, labId: string, node: string, kind: NodeKind): Promise<void> {
  const netns = netnsName(labId, node);
  const ip = systemTool('ip');
  await runOrThrow([ip, '-n', netns, '-batch', '-'], { input: ipBatchFor(plan, node, kind).join('\n') + '\n' });
  const ruleset = nftRulesetFor(plan, node, kind);
  if (ruleset) await runOrThrow([ip, 'netns', 'exec', netns, systemTool('nft'), '-f', '-'], { input: ruleset });
  for (const link of plan.links) {
    for (const shaped of link.egressRates) {
      if (shaped.node === node) await runOrThrow(tbfArgv(netns, shaped.ifName, shaped.rateMbit));
    }
  }
  const hostRate = plan.hosts.find((h) => h.spec.name === node)?.spec.rateMbit;
  const host = plan.hosts.find((h) => h.spec.name === node);
  if (host && hostRate !== undefined) {
    for (const nic of host.nics) await runOrThrow(tbfArgv(netns, nic.ifName, hostRate));
  }
}

/** `ethtool -K … tso off gso off gro off` for every host and router data interface (run through netnsExecBatch). */
function offloadCommands(plan: LabPlan, labId: string): Array<{ netns: string; argv: string[] }> {
  if (!plan.offloadsOff) return [];
  return [...plan.kinds.entries()]
    .filter(([, kind]) => kind === 'host' || kind === 'router')
    .flatMap(([node]) =>
      l3InterfacesOf(plan, node).map((itf) => ({
        netns: netnsName(labId, node),
        argv: [systemTool('ethtool'), '-K', itf.ifName, 'tso', 'off', 'gso', 'off', 'gro', 'off'],
      })),
    );
}

/** Parallel `ip -batch` runs for the per-namespace commands below: one per core is plenty (2 here). */
const NETNS_EXEC_BATCHES = 2;

/**
 * Runs one command in each of many namespaces through `ip -batch` lines `netns exec NS argv…`:
 * ip forks per line from its own small process instead of one spawn per namespace from Node, which
 * on a loaded 2-core machine halves the cost of a 32-host lab. Lines are split over a few batches
 * run side by side; any failing line fails its batch (and so the build), with ip's `Command failed -:N`.
 * Arguments must be plain words (no spaces or quotes): sysctl settings, ethtool flags.
 */
async function netnsExecBatch(commands: Array<{ netns: string; argv: string[] }>): Promise<void> {
  if (commands.length === 0) return;
  for (const c of commands) {
    for (const a of c.argv) if (!/^[\w./:=@%+,-]+$/.test(a)) throw new Error(`lab: "${a}" is not a plain word for ip -batch`);
  }
  const lines = commands.map((c) => `netns exec ${c.netns} ${c.argv.join(' ')}\n`);
  const chunk = Math.ceil(lines.length / NETNS_EXEC_BATCHES);
  const batches: string[][] = [];
  for (let i = 0; i < lines.length; i += chunk) batches.push(lines.slice(i, i + chunk));
  const timeoutMs = 10_000 + 500 * chunk;
  await Promise.all(batches.map((b) => runOrThrow([systemTool('ip'), '-batch', '-'], { input: b.join(''), timeoutMs })));
}

function withResolvedCommand(argv: string[]): string[] {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('lab: empty argv');
  return [resolveSystemCommand(command), ...args];
}

async function pickFreshId(): Promise<string> {
  const taken = new Set((await listNetns()).map(labIdOfNetns));
  for (;;) {
    const id = newLabId();
    if (!taken.has(id)) return id;
  }
}

/** Builds the topology as namespaces; on any failure tears down what was built and rethrows. */
export async function labUp(topology: Topology, opts: LabUpOptions = {}): Promise<Lab> {
  const startedMs = Date.now();
  const plan = planLab(topology);
  if (opts.id !== undefined && !LAB_ID_PATTERN.test(opts.id)) throw new Error(`lab id "${opts.id}" must match ${LAB_ID_PATTERN}`);
  let id: string;
  if (opts.id !== undefined) {
    id = opts.id;
    // Idempotent up: whatever an earlier run left under this id goes first.
    const previous = (await listNetns()).filter((n) => labIdOfNetns(n) === id);
    const left = await removeNamespaces(previous);
    if (left.length > 0) throw new Error(`lab ${id}: could not remove earlier namespaces ${left.join(', ')}`);
  } else {
    id = await pickFreshId();
  }

  const nodes = [...plan.kinds.entries()];
  const namespaces = nodes.map(([node]) => netnsName(id, node));
  const nsOf = (node: string): string => {
    if (!plan.kinds.has(node)) throw new Error(`lab ${id}: no node "${node}" (nodes: ${[...plan.kinds.keys()].join(', ')})`);
    return netnsName(id, node);
  };
  const ip = systemTool('ip');
  const started = new Set<StartedProcess>();
  let downPromise: Promise<void> | undefined;
  let lldpd: LabLldpd | undefined;

  const down = (): Promise<void> => {
    downPromise ??= (async () => {
      await Promise.all([...started].map((p) => p.stop()));
      const left = await removeNamespaces(namespaces);
      // After the processes: a running lldpd still holds its socket there.
      lldpd?.remove();
      if (left.length > 0) throw new Error(`lab ${id}: namespaces still present after down(): ${left.join(', ')}`);
      removeLabOwnerTag(id);
    })();
    return downPromise;
  };

  // A big lab would overflow the kernel-wide neighbour table, and its peers would look dead.
  ensureNeighbourTable(neighbourEntriesNeeded(plan));
  // The tag exists before any namespace, so cleanupStale never mistakes a lab being built for a crashed one.
  writeLabOwnerTag(id, topology.name);
  try {
    await runOrThrow([ip, '-batch', '-'], { input: namespaces.map((n) => `netns add ${n}\n`).join('') });
    // Sysctls before any interface exists, so the `default` values apply to every new one.
    await netnsExecBatch(nodes.map(([node, kind]) => ({ netns: nsOf(node), argv: [systemTool('sysctl'), '-qw', ...sysctlsFor(kind, plan.routers.find((r) => r.name === node), plan.hosts.find((h) => h.spec.name === node)?.nics.length)] })));
    // Each veth is created directly inside its two namespaces: nothing ever touches the root namespace.
    // Both ends get the same MTU: ends that differ give the sender ENOBUFS instead of a silent drop.
    // Explicit ifindexes that differ between the two ends: a veth whose ifindex equals its peer's
    // (easy across fresh namespaces, both get 2) has its carrier events batched by link-watch up to
    // 1 s late instead of at once, and drops the first ARP of every test meanwhile.
    const vethLines = plan.links.map(
      (l, i) =>
        `link add ${l.a.ifName} netns ${nsOf(l.a.node)} index ${FIRST_VETH_IFINDEX + 2 * i} mtu ${l.mtuBytes} ` +
        `type veth peer name ${l.b.ifName} netns ${nsOf(l.b.node)} index ${FIRST_VETH_IFINDEX + 2 * i + 1} mtu ${l.mtuBytes}\n`,
    );
    await runOrThrow([ip, '-batch', '-'], { input: vethLines.join('') });
    await Promise.all([...nodes.map(([node, kind]) => configureNode(plan, id, node, kind)), netnsExecBatch(offloadCommands(plan, id))]);
    await waitForLinksUp(namespaces, LINKS_UP_TIMEOUT_MS);
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }

  const hosts: Record<string, LabHost> = {};
  for (const h of plan.hosts) {
    const vtep = plan.vteps.find((v) => v.node === h.spec.name);
    hosts[h.spec.name] = {
      name: h.spec.name,
      netns: nsOf(h.spec.name),
      dataNic: h.dataNic.ifName,
      nicMtuBytes: h.spec.nicMtuBytes,
      v4: h.dataNic.v4,
      v6: h.dataNic.v6,
      nics: h.nics.map((n) => ({ ifName: n.ifName, v4: n.v4, v6: n.v6, mtuBytes: n.mtuBytes, ...(n.switchNode !== undefined ? { switch: n.switchNode } : {}) })),
      mgmtAddress: h.mgmtAddress,
      ...(h.switchNode !== undefined ? { switch: h.switchNode } : {}),
      ...(vtep ? { overlay: { nic: vtep.ifName, mtuBytes: vtep.mtuBytes, v4: vtep.v4, v6: vtep.v6 } } : {}),
    };
  }
  const l3Nodes = nodes.filter(([, kind]) => kind === 'host' || kind === 'router' || kind === 'controller').map(([n]) => n);

  const exec: Lab['exec'] = async (node, argv, execOpts = {}) => run([ip, 'netns', 'exec', nsOf(node), ...withResolvedCommand(argv)], execOpts);
  const spawn: Lab['spawn'] = (node, argv, spawnOpts = {}) => {
    if (downPromise) throw new Error(`lab ${id} is down`);
    // `ip netns exec` execs in place, so the handle's PID is the command's own PID.
    const proc = start([ip, 'netns', 'exec', nsOf(node), ...withResolvedCommand(argv)], spawnOpts);
    started.add(proc);
    void proc.result.then(() => started.delete(proc));
    return proc;
  };
  if (plan.lldpNodes.length > 0) {
    try {
      // Through spawn, so down() stops every lldpd with the rest of the lab's processes.
      lldpd = await startLabLldpd(plan, { labId: id, exec, spawn });
    } catch (err) {
      await down().catch(() => undefined);
      throw err;
    }
  }

  return {
    id,
    topology,
    hosts,
    controllerNetns: nsOf(CONTROLLER_NODE),
    nodeKinds: Object.fromEntries(nodes),
    namespaces,
    buildMs: Date.now() - startedMs,
    netnsOf: nsOf,
    exec,
    spawn,
    lldpSocketOf: (node) => {
      nsOf(node); // an unknown node throws, as everywhere else
      return lldpd?.socketOf(node) ?? null;
    },
    flushPmtuCaches: async () => {
      await Promise.all(
        l3Nodes.map((node) =>
          runOrThrow([ip, 'netns', 'exec', nsOf(node), systemTool('sysctl'), '-qw', 'net.ipv4.route.flush=1', 'net.ipv6.route.flush=1']),
        ),
      );
    },
    down,
  };
}
