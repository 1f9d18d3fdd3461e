import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { loadPlan } from '../../controller/plan/loadPlan.js';
import { parsePlan } from '../../controller/plan/parsePlan.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { FIXTURES } from '../helpers/repoPaths.js';

const PLANS = join(FIXTURES, 'plans');
const plan = (name: string) => join(PLANS, name);

/** Two good agents on lines 2-4, then whatever the test adds from line 5. */
function withBase(extra: string): string {
  return [
    'tokenFile: ./token',
    'agents:',
    '  - { name: h1, url: "http://198.19.0.1:7420" }',
    '  - { name: h2, url: "http://198.19.0.2:7420" }',
    extra,
  ].join('\n');
}

const parse = (text: string) => parsePlan(text, { fileName: 'rack.yaml', baseDir: PLANS });

/** Every plan error is one ERR_USAGE line that starts with "<file>:<line>: " and matches `message`. */
function assertPlanError(t: ExecutionContext, error: unknown, file: string, line: number, message: RegExp): void {
  t.true(error instanceof PathprobeError, String(error));
  const planError = error as PathprobeError;
  t.is(planError.code, 'ERR_USAGE');
  t.false(planError.message.includes('\n'), planError.message);
  t.true(planError.message.startsWith(`${file}:${line}: `), planError.message);
  t.regex(planError.message, message);
}

async function loadError(t: ExecutionContext, name: string, line: number, message: RegExp): Promise<void> {
  const error = await t.throwsAsync(loadPlan(plan(name)));
  assertPlanError(t, error, plan(name), line, message);
}

function parseError(t: ExecutionContext, text: string, line: number, message: RegExp): void {
  const error = t.throws(() => parse(text));
  assertPlanError(t, error, 'rack.yaml', line, message);
}

test('the minimal plan parses to the exact plan, with throughput settings and an absolute token path', async (t) => {
  t.deepEqual(await loadPlan(plan('minimal.yaml')), {
    tokenFile: join(PLANS, 'token'),
    agents: [
      { name: 'h1', url: 'http://198.19.0.1:7420', addresses: ['198.18.0.1'], labels: { rack: 'r12', switch: 'tor-1' } },
      { name: 'h2', url: 'http://198.19.0.2:7420', addresses: ['198.18.0.2'], labels: { rack: 'r12', switch: 'tor-1' } },
    ],
    expect: { pathMtu: 9000 },
    tests: ['pmtu', 'throughput'],
    throughput: { streams: [1, 4], durationMs: 5000, repeats: 1 },
    pmtu: { flows: 23 },
    pairs: 'in-rail',
    concurrency: { pmtuParallel: 8, throughput: 'rounds' },
  });
});

test('a plan with only a token file and agents takes every default; addresses default to and accept "all"; numeric labels become strings', async (t) => {
  t.deepEqual(await loadPlan(plan('defaults.yaml')), {
    tokenFile: join(PLANS, 'token'),
    agents: [
      { name: 'h1', url: 'http://198.19.0.1:7420', addresses: 'all', labels: {} },
      { name: 'h2', url: 'http://198.19.0.2:7420', addresses: 'all', labels: { rack: '12', switch: 'tor-1' } },
    ],
    expect: {},
    tests: ['pmtu'],
    throughput: { streams: [1, 2, 4, 8, 16], durationMs: 10_000, repeats: 3 },
    pmtu: { flows: 23 },
    pairs: 'in-rail',
    concurrency: { pmtuParallel: 8, throughput: 'rounds' },
  });
});

test('pmtu.flows is auto (the stated rule, 23 flows, also when left out) or a number', (t) => {
  t.deepEqual(parse(withBase('pmtu: { flows: auto }')).pmtu, { flows: 23 });
  t.deepEqual(parse(withBase('pmtu: { flows: 8 }')).pmtu, { flows: 8 });
  t.deepEqual(parse(withBase('')).pmtu, { flows: 23 });
  t.deepEqual(parse(withBase('pmtu: { flows: 1 }')).pmtu, { flows: 1 }, 'one flow, when asked for');
  t.throws(() => parse(withBase('pmtu: { flows: 0 }')), { message: /pmtu\.flows/ });
});

test('listing throughput runs pmtu too, in a fixed order', (t) => {
  t.deepEqual(parse(withBase('tests: [throughput]')).tests, ['pmtu', 'throughput']);
  t.deepEqual(parse(withBase('tests: [throughput, pmtu]')).tests, ['pmtu', 'throughput']);
});

test('throughput streams may be a "1,4" string and durations a number of seconds; streams come out sorted', (t) => {
  const parsed = parse(withBase('throughput: { streams: "8,1,4", duration: 2, repeats: 20 }\nconcurrency: { pmtuParallel: 64, throughput: serial }'));
  t.deepEqual(parsed.throughput, { streams: [1, 4, 8], durationMs: 2000, repeats: 20 });
  t.deepEqual(parsed.concurrency, { pmtuParallel: 64, throughput: 'serial' });
});

test('an unknown top-level field is named with its line and the known fields', async (t) => {
  await loadError(t, 'unknown-top.yaml', 3, /:3: unknown field "expectt" \(known: tokenFile, tls, agents, expect, tests, throughput, pmtu, pairs, concurrency\)$/);
});

test('an unknown field inside an agent is named with its agent and line', async (t) => {
  await loadError(t, 'unknown-nested.yaml', 7, /:7: agents\[1\]: unknown field "lables" \(known: name, url, addresses, labels\)$/);
  parseError(t, withBase('expect: { pathMtu: 9000, minLinkEfficency: 0.9 }'), 5, /expect: unknown field "minLinkEfficency"/);
});

test('a wrong type names the field, the expected type and what was found', async (t) => {
  await loadError(t, 'wrong-type.yaml', 5, /:5: agents\[0\]\.addresses: expected a list of IP addresses or "all", got number 10$/);
  parseError(t, withBase('tests: pmtu'), 5, /tests: expected a non-empty list of tests from pmtu, throughput, got string "pmtu"/);
  parseError(t, withBase('tests: [pmtu, iperf]'), 5, /tests\[1\]: expected a test: pmtu or throughput, got string "iperf"/);
  parseError(t, withBase('expect: { pathMtu: 70000 }'), 5, /expect\.pathMtu: expected an integer from 68 to 65535, got number 70000/);
  parseError(t, withBase('expect: { minLinkEfficiency: 0 }'), 5, /expect\.minLinkEfficiency: expected a number greater than 0 and at most 1/);
  parseError(t, withBase('concurrency: { throughput: parallel }'), 5, /concurrency\.throughput: expected rounds or serial, got string "parallel"/);
  parseError(t, 'tokenFile: ./token\nagents:\n  - { name: h1 }\n  - { name: h2, url: "http://198.19.0.2:7420" }', 3, /agents\[0\]\.url: required field is missing; expected an agent URL/);
  parseError(t, '- just\n- a list\n', 1, /expected a mapping of plan fields .*, got a list/);
});

test('a duplicate agent name names both lines', async (t) => {
  await loadError(t, 'duplicate-agent.yaml', 8, /:8: agents\[2\]\.name: duplicate agent "h1" \(first at line 4\)$/);
});

test('an agent URL or data-plane address used twice is refused with both lines', (t) => {
  parseError(t, withBase('  - { name: h3, url: "http://198.19.0.1:7420/" }'), 5, /agents\[2\]\.url: "http:\/\/198\.19\.0\.1:7420\/" is also the URL of agent "h1" \(line 3\)/);
  parseError(t, 'tokenFile: ./token\nagents:\n  - { name: h1, url: "http://198.19.0.1:7420", addresses: ["2001:2:0::1"] }\n  - { name: h2, url: "http://198.19.0.2:7420", addresses: ["2001:2:0::1"] }',
    4, /agents\[1\]\.addresses\[0\]: 2001:2:0::1 is also an address of agent "h1" \(line 3\)/);
});

test('one agent cannot form a pair, and agent names are checked', (t) => {
  parseError(t, 'tokenFile: ./token\nagents:\n  - { name: h1, url: "http://198.19.0.1:7420" }', 2, /agents: found only 1 agent \("h1"\), but a pair needs two: list at least 2 agents/);
  parseError(t, withBase('  - { name: "bad name", url: "http://198.19.0.3:7420" }'), 5, /agents\[2\]\.name: expected an agent name of 1 to 32 letters.*, got string "bad name"/);
});

test('a token file that does not exist or is empty is an error on the tokenFile line', async (t) => {
  await loadError(t, 'missing-token.yaml', 1, /:1: tokenFile: \.\/no-such-token: no such file$/);
  await loadError(t, 'empty-token.yaml', 1, /:1: tokenFile: \.\/empty-token: is empty$/);
  parseError(t, withBase('').replace('tokenFile: ./token\n', ''), 1, /tokenFile: required field is missing/);
});

test('an invalid agent URL is named with its line', async (t) => {
  await loadError(t, 'bad-url.yaml', 7, /:7: agents\[1\]\.url: "htp:\/\/x" is not an agent URL such as http:\/\/198\.19\.0\.1:7420$/);
});

test('an invalid address is named with its position and line', async (t) => {
  await loadError(t, 'bad-address.yaml', 7, /:7: agents\[0\]\.addresses\[1\]: expected an IPv4 or IPv6 address, or \{ address, labels \} for a NIC with labels of its own, got string "198\.18\.0\.300"$/);
  parseError(t, withBase('  - { name: h3, url: "http://198.19.0.3:7420", addresses: any }'), 5, /agents\[2\]\.addresses: expected a list of IP addresses or "all", got string "any"/);
});

test('a bad duration, stream count or repeat count is named with its line', async (t) => {
  await loadError(t, 'bad-throughput.yaml', 8, /:8: throughput\.duration: "soon" is not a duration such as 10s, 1\.5s or 500ms$/);
  parseError(t, withBase('throughput: { duration: 0.5 }'), 5, /throughput\.duration: "0\.5" must be at least 1 s/);
  parseError(t, withBase('throughput:\n  streams: "1,x"'), 6, /throughput\.streams: "x" is not a stream count of 1 or more$/);
  parseError(t, withBase('throughput:\n  streams: [1, 4,\n    0]'), 7, /throughput\.streams\[2\]: expected a stream count from 1 to 128, got number 0$/);
  parseError(t, withBase('throughput:\n  streams: []'), 6, /throughput\.streams: expected a list of stream counts .*, got an empty list$/);
  parseError(t, withBase('throughput:\n  duration: 5s\n  repeats: 21'), 7, /throughput\.repeats: expected an integer from 1 to 20, got number 21$/);
});

test('a YAML syntax error reports its line', async (t) => {
  await loadError(t, 'syntax-error.yaml', 5, /:5: invalid YAML: /);
  parseError(t, withBase('tests: [pmtu]\ntests: [throughput]'), 6, /invalid YAML: Map keys must be unique/);
  parseError(t, '', 1, /the plan is empty/);
});

test('a plan file that does not exist is a usage error naming it', async (t) => {
  const error = await t.throwsAsync(loadPlan(plan('no-such-plan.yaml')));
  t.true(error instanceof PathprobeError);
  t.is((error as PathprobeError).code, 'ERR_USAGE');
  t.is(error.message, `cannot read plan ${plan('no-such-plan.yaml')}: ENOENT`);
});

test('an address can carry labels of its own, over its agent\'s; they are kept by canonical address', (t) => {
  const parsed = parse(`tokenFile: ./token
agents:
  - { name: h1, url: "http://198.19.0.1:7420", labels: { rack: r1, switch: tor-a }, addresses: [198.18.1.1, { address: "2001:2:0:2::1", labels: { switch: tor-b, rail: b } }] }
  - { name: h2, url: "http://198.19.0.2:7420", addresses: [198.18.1.2] }
`);
  t.deepEqual(parsed.agents[0]?.addresses, ['198.18.1.1', '2001:2:0:2::1']);
  t.deepEqual(parsed.agents[0]?.nicLabels, { '2001:2:0:2::1': { switch: 'tor-b', rail: 'b' } });
  t.is(parsed.agents[1]?.nicLabels, undefined, 'no NIC labels, no field');
  const unknown = t.throws(() => parse(`tokenFile: ./token
agents:
  - { name: h1, url: "http://198.19.0.1:7420", addresses: [{ address: 198.18.1.1, label: { switch: tor-b } }] }
`));
  t.regex(unknown?.message ?? '', /agents\[0\]\.addresses\[0\]: unknown field "label" \(known: address, labels\)/);
});

test('pairs are in-rail unless the plan asks for all; anything else is named', (t) => {
  t.is(parse(withBase('')).pairs, 'in-rail');
  t.is(parse(withBase('pairs: all')).pairs, 'all');
  t.is(parse(withBase('pairs: fabric')).pairs, 'fabric');
  t.throws(() => parse(withBase('pairs: cross')), { message: /pairs: expected in-rail \(the default: only endpoints on one rail, by rail label or IP subnet\), all \(cross-rail pairs too\) or fabric/ });
});
