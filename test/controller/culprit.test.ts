import test from 'ava';
import type { NicFacts } from '../../proto/agentFacts.js';
import type { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import type { IperfProcessResult, IperfRunResult } from '../../proto/throughput.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import type { PathMtuEnd } from '../../controller/pmtu/measurePathMtu.js';
import { pmtuReport } from '../../controller/pmtu/pmtuReport.js';
import { planPairs } from '../../controller/schedule/planPairs.js';
import { throughputMatrix } from '../../controller/throughput/throughputMatrix.js';
import { inferCulprits, pairFindings } from '../../controller/aggregate/culprit.js';
import { rollUp } from '../../controller/aggregate/rollup.js';
import { pathMtuRepro, pingPayloadBytes } from '../../controller/aggregate/reproCommands.js';
import type { Pair } from '../../controller/model/pair.js';
import type { PlanAgent } from '../../controller/model/plan.js';
import type { PairResult } from '../../controller/model/runReport.js';
import type { ThroughputMatrixRun } from '../../controller/model/throughputMatrix.js';

// ---- fixtures: sweeps as agents report them, turned into reports by the real verdict code ----

type PathCase = { kind: 'ok' } | { kind: 'silent'; mtu: number } | { kind: 'icmp'; mtu: number; from: string } | { kind: 'unreachable' };
const OK: PathCase = { kind: 'ok' };
const silent = (mtu: number): PathCase => ({ kind: 'silent', mtu });

function nic(address: string, mtuBytes: number): NicFacts {
  return { name: 'ens1f0', mtuBytes, addresses: [`${address}/24`], macAddress: null, speedMbps: 25_000, driver: 'mlx5_core', operState: 'up' };
}
function end(agent: string, address: string, mtu: number): PathMtuEnd {
  return { name: agent, url: `https://${agent}.mgmt:7070`, address, facts: null, nic: nic(address, mtu) };
}
function sweep(from: string, to: string, nicMtu: number, path: PathCase): PmtuSweepResult {
  const largest = path.kind === 'ok' ? nicMtu : path.kind === 'unreachable' ? null : path.mtu;
  return {
    v: 1, mode: 'peer', family: from.includes(':') ? 6 : 4, sourceAddress: from, targetAddress: to, device: 'ens1f0', deviceMtuBytes: nicMtu,
    reachable: path.kind !== 'unreachable', largestOkBytes: largest, smallestFailBytes: largest === null ? null : largest + 1,
    failEvidence: { silent: path.kind === 'silent' ? 3 : 0, icmp: path.kind === 'icmp' ? 1 : 0, local: path.kind === 'ok' ? 1 : 0, sendError: 0 },
    complete: true, icmpHints: path.kind === 'icmp' ? [{ from: path.from, mtuBytes: path.mtu, probeBytes: path.mtu + 1 }] : [],
    probes: [], probesSent: 14, rounds: 3, timeoutMs: 250, lossEstimate: 0, elapsedMs: 620,
  };
}
function measured(pair: Pair, forward: PathCase, reverse: PathCase, mtu = 9000): PairResult {
  const from = end(pair.a.agent, pair.a.address, mtu);
  const to = end(pair.b.agent, pair.b.address, mtu);
  const pmtu = pmtuReport({
    mode: 'peer', from, to,
    forward: { ok: true, sweep: sweep(pair.a.address, pair.b.address, mtu, forward) },
    reverse: { ok: true, sweep: sweep(pair.b.address, pair.a.address, mtu, reverse) },
  });
  return { pair, pmtu, pmtuError: null, cells: [], throughput: null };
}

/** Rack 12: h1..h6 on tor-1, h7 behind tor-2. */
function rack12(labelsOf: (host: number) => Record<string, string> = (i) => ({ rack: 'r12', switch: i === 7 ? 'tor-2' : 'tor-1' })) {
  const agents: PlanAgent[] = Array.from({ length: 7 }, (_, k) => ({
    name: `h${k + 1}`, url: `https://h${k + 1}.mgmt:7070`, addresses: [`198.18.12.${k + 1}`], labels: labelsOf(k + 1),
  }));
  const pairs = planPairs(new Map(agents.map((a) => [a.name, a.addresses as string[]])), agents.map((a) => a.name));
  return { agents, pairs };
}
const involves = (p: Pair, host: string) => p.a.agent === host || p.b.agent === host;

/** tor-2's port to h7 caps frames at 1518 and drops larger ones without a word. */
function tor2Capped() {
  const { agents, pairs } = rack12();
  const results = pairs.map((p) => (involves(p, 'h7') ? measured(p, silent(1500), silent(1500)) : measured(p, OK, OK)));
  return { agents, results };
}

// ---- culprit inference ----

test('h7 behind tor-2 drops everything above 1500 silently: exactly one culprit, switch=tor-2', (t) => {
  const { agents, results } = tor2Capped();
  const culprits = inferCulprits(results, agents);
  t.is(culprits.length, 1);
  const c = culprits[0]!;
  t.is(c.kind, 'culprit-switch');
  t.is(c.severity, 'fail');
  t.is(c.scope, 'switch=tor-2', 'the smallest group: tor-1 (6 hosts) cuts the same pairs');
  t.is(c.title, 'switch tor-2 silently drops frames above 1518 bytes (IP MTU 1500)');
  t.regex(c.explanation, /^6 of 6 pairs crossing switch=tor-2 .* silently drop packets above 1500 bytes \(frames above 1518, \+ 4 per 802\.1Q tag\) in both directions/);
  t.regex(c.explanation, /the 15 pairs not crossing it pass at 9000/);
  t.regex(c.explanation, /h7 is the only host behind it/);
  t.regex(c.fix!, /raise the MTU of switch tor-2's ports .* to at least 9018-byte frames \(NIC MTU 9000 \+ 18; 9022 with an 802\.1Q tag, \+ 4 per tag\)/);
  t.deepEqual(c.evidence.agents, ['h7']);
  t.is(c.evidence.pathMtu, 1500);
  t.is(c.evidence.crossingPairs.length, 6);
  t.is(c.evidence.passingPairs.length, 15);
  t.deepEqual(c.evidence.passingPathMtus, [9000]);
  t.deepEqual(c.repro.filter((l) => l.startsWith('ping')).map((l) => l.split('   #')[0]), [
    'ping -M do -s 1473 -c 3 -I 198.18.12.1 198.18.12.7',
    'ping -M do -s 1472 -c 3 -I 198.18.12.1 198.18.12.7',
  ]);
  t.regex(c.repro[0]!, /# on h1: fails/);
  t.true(c.repro.some((l) => l.startsWith('iperf3 -c 198.18.12.7 -B 198.18.12.1 -t 5 -M 1460')));
  t.true(c.repro.some((l) => l.startsWith('iperf3 -s') && l.includes('on h7')));
});

test('the per-pair findings stand beside the culprit: one per failing direction', (t) => {
  const { results } = tor2Capped();
  const findings = pairFindings(results);
  t.is(findings.length, 12, '6 pairs × 2 directions');
  t.true(findings.every((f) => f.kind === 'path-mtu' && f.severity === 'fail' && f.scope.includes('h7/198.18.12.7')));
  const f = findings.find((x) => x.scope === 'h1/198.18.12.1~h7/198.18.12.7')!;
  t.is(f.title, 'h1 (198.18.12.1) → h7 (198.18.12.7): packets above 1500 bytes are silently dropped (frames above 1518)');
  t.regex(f.explanation, /h1 → h7: something on the path drops packets above 1500 bytes/, 'the verdict\'s own explanation');
  t.regex(f.fix!, /9018-byte frames \(9022 with an 802\.1Q tag\)/, 'the verdict\'s advice');
  t.regex(f.repro[0]!, /^ping -M do -s 1473 -c 3 -I 198\.18\.12\.1 198\.18\.12\.7 /);
});

test('a single bad pair no label explains: no culprit, one pair finding', (t) => {
  const { agents, pairs } = rack12();
  const results = pairs.map((p) => (p.id === 'h2/198.18.12.2~h3/198.18.12.3' ? measured(p, silent(1500), OK) : measured(p, OK, OK)));
  t.deepEqual(inferCulprits(results, agents), []);
  const findings = pairFindings(results);
  t.is(findings.length, 1);
  t.is(findings[0]!.scope, 'h2/198.18.12.2~h3/198.18.12.3');
  t.is(findings[0]!.title, 'h2 (198.18.12.2) → h3 (198.18.12.3): packets above 1500 bytes are silently dropped (frames above 1518)');
});

test('failures beyond the crossing pairs: no culprit', (t) => {
  const { agents, pairs } = rack12();
  const results = pairs.map((p) => (involves(p, 'h7') || p.id === 'h1/198.18.12.1~h2/198.18.12.2' ? measured(p, silent(1500), silent(1500)) : measured(p, OK, OK)));
  t.deepEqual(inferCulprits(results, agents), []);
});

test('crossing pairs stop at different sizes: no culprit', (t) => {
  const { agents, pairs } = rack12();
  const results = pairs.map((p) => (involves(p, 'h7') ? measured(p, silent(p.a.agent === 'h1' ? 4000 : 1500), silent(1500)) : measured(p, OK, OK)));
  t.deepEqual(inferCulprits(results, agents), []);
});

test('a router that says frag-needed: a pair finding naming the router, no culprit', (t) => {
  const agents: PlanAgent[] = [
    { name: 'h1', url: 'https://h1.mgmt:7070', addresses: ['198.18.12.1'], labels: { rack: 'r12', switch: 'tor-1' } },
    { name: 'h8', url: 'https://h8.mgmt:7070', addresses: ['198.18.13.8'], labels: { rack: 'r13', switch: 'tor-3' } },
  ];
  const pair = planPairs(new Map([['h1', ['198.18.12.1']], ['h8', ['198.18.13.8']]]), ['h1', 'h8'])[0]!;
  const router = { kind: 'icmp', mtu: 4000, from: '198.18.99.1' } as const;
  const results = [measured(pair, router, router)];
  t.deepEqual(inferCulprits(results, agents), [], 'frag-needed is not a silent switch');
  const findings = pairFindings(results);
  t.is(findings.length, 2);
  const f = findings[0]!;
  t.is(f.kind, 'path-mtu');
  t.is(f.severity, 'warn');
  t.is(f.title, 'h1 (198.18.12.1) → h8 (198.18.13.8): router 198.18.99.1 limits packets to 4000 bytes (frag-needed)');
  t.regex(f.explanation, /router 198\.18\.99\.1 limits packets to 4000 bytes and says so with ICMP frag-needed/);
  t.regex(f.fix!, /raise the MTU of 198\.18\.99\.1's egress interface to 9000/);
  t.true(f.repro.some((l) => l.startsWith('tracepath -n 198.18.13.8')));
  t.true(f.repro.some((l) => l.startsWith('ping -M do -s 3973 -c 3 -I 198.18.12.1 198.18.13.8')));
});

test('two switches of three hosts each and a capped uplink: both sides explain it equally, no culprit', (t) => {
  const { agents, pairs } = rack12((i) => ({ switch: i <= 3 ? 'tor-1' : 'tor-2' }));
  const side = (h: string) => Number(h.slice(1)) <= 3;
  const six = pairs.filter((p) => Number(p.a.agent.slice(1)) <= 6 && Number(p.b.agent.slice(1)) <= 6);
  const results = six.map((p) => (side(p.a.agent) !== side(p.b.agent) ? measured(p, silent(1500), silent(1500)) : measured(p, OK, OK)));
  t.deepEqual(inferCulprits(results, agents.slice(0, 6)), []);
});

test('the most specific label wins; device keys before others; the same hosts under two keys name the first device key', (t) => {
  const { agents } = rack12((i) => ({ pod: i >= 6 ? 'p2' : 'p1', leaf: i === 7 ? 'leaf-b' : 'leaf-a', switch: i === 7 ? 'tor-2' : 'tor-1' }));
  const { results } = tor2Capped();
  const c = inferCulprits(results, agents);
  t.is(c.length, 1);
  t.is(c[0]!.scope, 'switch=tor-2', 'switch before leaf for the same host set; pod=p2 does not fit');

  const racks = rack12((i) => ({ rack: i === 7 ? 'r13' : 'r12' }));
  const byRack = inferCulprits(results, racks.agents);
  t.is(byRack[0]?.scope, 'rack=r13', 'with no device key, any key');
  t.is(byRack[0]?.title, 'rack r13 silently drops frames above 1518 bytes (IP MTU 1500)');
});

test('an unmeasured pair is left out of the inference and said; it gets its own finding', (t) => {
  const { agents, results } = tor2Capped();
  const lost = results.findIndex((r) => r.pair.id === 'h3/198.18.12.3~h7/198.18.12.7');
  const error = new PathprobeError('ERR_AGENT_UNREACHABLE', 'h7: connect ECONNREFUSED');
  results[lost] = { ...results[lost]!, pmtu: null, pmtuError: { code: error.code, message: error.message } };
  const c = inferCulprits(results, agents);
  t.is(c.length, 1);
  t.regex(c[0]!.explanation, /^5 of 5 pairs crossing switch=tor-2/);
  t.regex(c[0]!.explanation, /1 pair could not be measured and is left out/);
  const f = pairFindings(results).filter((x) => x.kind === 'unreachable');
  t.is(f.length, 1);
  t.is(f[0]!.title, 'h3 ↔ h7: path MTU not measured (ERR_AGENT_UNREACHABLE)');
});

test('unreachable direction: an unreachable finding with a plain ping', (t) => {
  const { agents, pairs } = rack12();
  const results = pairs.map((p) => (p.id === 'h1/198.18.12.1~h2/198.18.12.2' ? measured(p, { kind: 'unreachable' }, { kind: 'unreachable' }) : measured(p, OK, OK)));
  t.deepEqual(inferCulprits(results, agents), []);
  const f = pairFindings(results);
  t.is(f.length, 2);
  t.is(f[0]!.kind, 'unreachable');
  t.is(f[0]!.repro[0]!.split('   #')[0], 'ping -c 3 -I 198.18.12.1 198.18.12.2');
  t.regex(f[0]!.fix!, /check that 198\.18\.12\.2 is up and routed/);
});

// ---- throughput verdicts ----

const G = 1e9;
function proc(gbps: number, o: Partial<IperfProcessResult> = {}): IperfProcessResult {
  return {
    port: 5201, streams: 1, failure: null, bytesSent: gbps * G * 5 / 8, bytesReceived: gbps * G * 5 / 8,
    bitsPerSecondReceived: gbps * G, retransmits: 12, senderCpuPercent: 30, receiverCpuPercent: 40,
    intervalBitsPerSecond: [gbps * G, gbps * G, gbps * G], congestionControl: 'cubic', timedOut: false, ...o,
  };
}
const run = (p: IperfProcessResult): IperfRunResult => ({ v: 1, iperfVersion: '3.12', processes: [p], mssBytesObserved: null, maxCorePercent: 40, elapsedMs: 6000 });
const stall = run(proc(0, { failure: { class: 'stalled', message: 'bytes sent, none received' }, bytesSent: 492_992, bytesReceived: 0, bitsPerSecondReceived: 0, retransmits: 5 }));

test('a jumbo row that stalls over a silent 1500 cap: a jumbo-stalled finding with the iperf3 repro', (t) => {
  const { pairs } = rack12();
  const pair = pairs.find((p) => p.id === 'h1/198.18.12.1~h7/198.18.12.7')!;
  const result = measured(pair, silent(1500), silent(1500));
  const runs: ThroughputMatrixRun[] = [
    { direction: 'forward', row: '1500', streams: 1, repeat: 1, result: run(proc(23.1)) },
    { direction: 'forward', row: 'jumbo', streams: 1, repeat: 1, result: stall },
  ];
  const fwd = result.pmtu!.forward;
  result.throughput = throughputMatrix(runs, {
    family: 4, linkSpeedMbps: 25_000,
    directions: { forward: { route: 'h1 → h7', senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtu: fwd.verdict === 'error' ? null : fwd } },
  });
  t.is(result.throughput.directions[0]!.jumboVerdict.verdict, 'jumbo-stalled');
  const f = pairFindings([result]).find((x) => x.kind === 'jumbo-stalled')!;
  t.truthy(f);
  t.is(f.severity, 'fail');
  t.is(f.title, 'h1 (198.18.12.1) → h7 (198.18.12.7): TCP at jumbo 9000 stalls');
  t.is(f.explanation, result.throughput.directions[0]!.jumboVerdict.explanation);
  t.regex(f.fix!, /at least 9018-byte frames \(9022 with an 802\.1Q tag\), or set the NIC MTU to 1500 on both hosts/);
  t.true(f.repro.some((l) => l.startsWith('iperf3 -c 198.18.12.7 -B 198.18.12.1 -t 5   #') && /stalls/.test(l)));
  t.true(f.repro.some((l) => l.startsWith('iperf3 -c 198.18.12.7 -B 198.18.12.1 -t 5 -M 1460')));
});

test('jumbo slower than 1500: a warning comparing both rates', (t) => {
  const { pairs } = rack12();
  const pair = pairs[0]!;
  const result = measured(pair, OK, OK);
  const runs: ThroughputMatrixRun[] = [
    { direction: 'reverse', row: '1500', streams: 4, repeat: 1, result: run(proc(23.5)) },
    { direction: 'reverse', row: 'jumbo', streams: 4, repeat: 1, result: run(proc(17.2)) },
  ];
  result.throughput = throughputMatrix(runs, {
    family: 4, linkSpeedMbps: 25_000,
    directions: { reverse: { senderNicMtuBytes: 9000, receiverNicMtuBytes: 9000, pathMtu: { verdict: 'ok', pathMtu: 9000 } } },
  });
  const f = pairFindings([result]);
  t.is(f.length, 1);
  t.is(f[0]!.kind, 'jumbo-slower');
  t.is(f[0]!.severity, 'warn');
  t.is(f[0]!.title, 'h2 (198.18.12.2) → h1 (198.18.12.1): jumbo 9000 is 26.8 % slower than 1500', 'reverse runs b → a');
  t.true(f[0]!.repro.some((l) => l.includes('-M 1460') && l.includes('compare the rate')));
});

// ---- repro commands ----

test('ping payload: IPv4 minus 28, IPv6 minus 48', (t) => {
  t.is(pingPayloadBytes(1500, 4), 1472);
  t.is(pingPayloadBytes(1500, 6), 1452);
  const lines = pathMtuRepro({ agent: 'h1', address: '2001:2:0:12::1' }, { agent: 'h7', address: '2001:2:0:12::7' }, 1500);
  t.deepEqual(lines.map((l) => l.split('   #')[0]), [
    'ping -M do -s 1453 -c 3 -I 2001:2:0:12::1 2001:2:0:12::7',
    'ping -M do -s 1452 -c 3 -I 2001:2:0:12::1 2001:2:0:12::7',
  ]);
});

test('NIC MTUs that differ: an mtu-mismatch finding with the verdict\'s advice', (t) => {
  const { pairs } = rack12();
  const pair = pairs[0]!;
  const from = end('h1', '198.18.12.1', 9000);
  const to = end('h2', '198.18.12.2', 1500);
  const pmtu = pmtuReport({
    mode: 'peer', from, to,
    forward: { ok: true, sweep: { ...sweep('198.18.12.1', '198.18.12.2', 9000, silent(1500)) } },
    reverse: { ok: true, sweep: sweep('198.18.12.2', '198.18.12.1', 1500, OK) },
  });
  const f = pairFindings([{ pair, pmtu, pmtuError: null, cells: [], throughput: null }]);
  t.is(f.length, 2);
  t.true(f.every((x) => x.kind === 'path-mtu'));
  t.is(f[0]!.title, 'h1 (198.18.12.1) → h2 (198.18.12.2): NIC MTUs differ (9000 vs 1500), path MTU 1500');
  t.regex(f[0]!.fix!, /set both NICs to the same MTU/);
});

test('two rails, labels per NIC: the capped rail-b port of h3 is the culprit, and the NIC behind it is named, not the host', (t) => {
  // h1..h4 each with d0 on tor-a (198.18.1.n) and d1 on tor-b (198.18.2.n), rails not routed to each other.
  const agents: PlanAgent[] = Array.from({ length: 4 }, (_, k) => {
    const n = k + 1;
    return {
      name: `h${n}`, url: `https://h${n}.mgmt:7070`, addresses: [`198.18.1.${n}`, `198.18.2.${n}`], labels: { rack: 'r12' },
      nicLabels: { [`198.18.1.${n}`]: { switch: 'tor-a', port: `pa${n}` }, [`198.18.2.${n}`]: { switch: 'tor-b', port: `pb${n}` } },
    };
  });
  const railOf = (address: string) => address.split('.')[2];
  const pairs = planPairs(new Map(agents.map((a) => [a.name, a.addresses as string[]])), agents.map((a) => a.name))
    .filter((p) => railOf(p.a.address) === railOf(p.b.address));
  const capped = (p: Pair) => p.a.address === '198.18.2.3' || p.b.address === '198.18.2.3';
  const results = pairs.map((p) => (capped(p) ? measured(p, silent(1500), silent(1500)) : measured(p, OK, OK)));
  const culprits = inferCulprits(results, agents);
  t.is(culprits.length, 1);
  const c = culprits[0]!;
  t.is(c.scope, 'port=pb3', 'no switch label explains it: tor-b also carries passing pairs');
  t.deepEqual(c.evidence.endpoints, ['h3/198.18.2.3']);
  t.deepEqual(c.evidence.agents, ['h3']);
  t.regex(c.explanation, /h3\/198\.18\.2\.3 is the only NIC behind it/);
  t.is(c.evidence.crossingPairs.length, 3, 'h3 rail b with h1, h2, h4 rail b');
  t.is(c.evidence.passingPairs.length, 9, 'rail a (6) and the rest of rail b (3)');

  // The roll-up groups by NIC too: tor-b holds every rail-b pair and no rail-a pair.
  const torB = rollUp(results, agents).labels.find((l) => l.scope === 'switch=tor-b');
  t.is(torB?.within.pairs, 6, 'the rail-b pairs, both ends on tor-b');
  t.is(torB?.crossing.pairs, 0, 'rails are not routed to each other: no pair leaves tor-b');
  t.is(torB?.within.counts['silent-drop'], 6, "h3's three rail-b pairs, both directions");
});

test('with no labels in the plan, LLDP names the culprit: switch and port from the wire', (t) => {
  const agents: PlanAgent[] = Array.from({ length: 4 }, (_, k) => ({ name: `h${k + 1}`, url: `https://h${k + 1}.mgmt:7070`, addresses: [`198.18.2.${k + 1}`], labels: {} }));
  const fromLldp = agents.map((a, k) => ({ ...a, nicLabels: { [`198.18.2.${k + 1}`]: { switch: 'tor-b', port: `tor-b/pb${k + 1}` } } }));
  const pairs = planPairs(new Map(agents.map((a) => [a.name, a.addresses as string[]])), agents.map((a) => a.name));
  const results = pairs.map((p) => (p.a.agent === 'h4' || p.b.agent === 'h4' ? measured(p, silent(1500), silent(1500)) : measured(p, OK, OK)));
  const [c] = inferCulprits(results, fromLldp);
  t.is(c?.scope, 'port=tor-b/pb4');
  t.is(c?.title, 'switch tor-b, port pb4 silently drops frames above 1518 bytes (IP MTU 1500)');
});
