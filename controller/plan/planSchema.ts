import { z } from 'zod';
import { IpAddress } from '../../proto/ipAddress.js';
import { MAX_STREAMS } from '../../proto/throughput.js';
import { MAX_SWEEP_FLOWS } from '../../proto/pmtuSweep.js';
import { MAX_REPEATS } from '../throughput/parseThroughputOptions.js';
import { TEST_KIND_NAMES, type TestKindName, type Plan } from '../model/plan.js';

/*
 * The shape of a plan file as written (before defaults and cross-field checks). Every object is
 * strict so a misspelt field is an error, never silently ignored. Error messages are not taken from
 * zod: parsePlan words every issue as "expected <EXPECTED[field]>, got <what was there>".
 */

export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
export const MIN_PATH_MTU = 68;
export const MAX_PATH_MTU = 65535;
export const MAX_PMTU_PARALLEL = 64;

const LabelsInput = z.record(z.string(), z.union([z.string(), z.number()]));

/** One NIC's address, alone or with labels of its own (its switch, its rail). */
export const PlanAddressInput = z.union([IpAddress, z.object({ address: IpAddress, labels: LabelsInput.optional() }).strict()]);

export const PlanAgentInput = z.object({
  name: z.string().regex(AGENT_NAME),
  url: z.string(),
  addresses: z.union([z.literal('all'), z.array(PlanAddressInput)]).optional(),
  labels: LabelsInput.optional(),
}).strict();

export const PlanExpectationsInput = z.object({
  pathMtu: z.number().int().min(MIN_PATH_MTU).max(MAX_PATH_MTU).optional(),
  minLinkEfficiency: z.number().gt(0).max(1).optional(),
  maxRetransmitsPerGB: z.number().min(0).optional(),
}).strict();

export const PlanThroughputInput = z.object({
  streams: z.union([z.array(z.number().int().min(1).max(MAX_STREAMS)).min(1), z.string()]).optional(),
  duration: z.union([z.string(), z.number()]).optional(),
  repeats: z.number().int().min(1).max(MAX_REPEATS).optional(),
}).strict();

export const PlanConcurrencyInput = z.object({
  pmtuParallel: z.number().int().min(1).max(MAX_PMTU_PARALLEL).optional(),
  throughput: z.enum(['rounds', 'serial']).optional(),
}).strict();

export const PlanPmtuInput = z.object({
  flows: z.union([z.literal('auto'), z.number().int().min(1).max(MAX_SWEEP_FLOWS)]).optional(),
}).strict();

export const PlanTlsInput = z.object({
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
}).strict();

export const PlanInput = z.object({
  tokenFile: z.string().min(1),
  tls: PlanTlsInput.optional(),
  agents: z.array(PlanAgentInput),
  expect: PlanExpectationsInput.optional(),
  tests: z.array(z.enum(TEST_KIND_NAMES)).min(1).optional(),
  throughput: PlanThroughputInput.optional(),
  pmtu: PlanPmtuInput.optional(),
  pairs: z.enum(['in-rail', 'all', 'fabric']).optional(),
  concurrency: PlanConcurrencyInput.optional(),
}).strict();
export type PlanInput = z.infer<typeof PlanInput>;

export const DEFAULT_TESTS: TestKindName[] = ['pmtu'];
export const DEFAULT_THROUGHPUT: Plan['throughput'] = { streams: [1, 2, 4, 8, 16], durationMs: 10_000, repeats: 3 };
export const DEFAULT_CONCURRENCY: Plan['concurrency'] = { pmtuParallel: 8, throughput: 'rounds' };

/**
 * What each field must hold, in words, keyed by its path with list indices written `[]` and
 * label names written `*`.
 */
export const EXPECTED: Record<string, string> = {
  '': 'a mapping of plan fields (tokenFile, tls, agents, expect, tests, throughput, pmtu, pairs, concurrency)',
  tls: 'a mapping { ca, cert, key } of PEM files: the CA agents\' certificates chain to, and the controller\'s certificate and key for mutual TLS',
  'tls.ca': 'the path of the CA certificate (PEM) that signed the agents\' certificates',
  'tls.cert': 'the path of the controller\'s certificate (PEM), presented to agents that require one',
  'tls.key': 'the path of the controller\'s key (PEM)',
  tokenFile: 'the path of the file that holds the agents\' token, such as ./token',
  agents: 'a list of agents, each { name, url, addresses, labels }',
  'agents[]': 'an agent: a mapping with name, url and optionally addresses and labels',
  'agents[].name': 'an agent name of 1 to 32 letters, digits, "_", "." or "-" starting with a letter or digit',
  'agents[].url': 'an agent URL such as http://198.19.0.1:7420',
  'agents[].addresses': 'a list of IP addresses or "all"',
  'agents[].addresses[]': 'an IPv4 or IPv6 address, or { address, labels } for a NIC with labels of its own',
  'agents[].addresses[].address': 'an IPv4 or IPv6 address',
  'agents[].addresses[].labels': 'a mapping of label names to values for this NIC, such as { switch: tor-b, rail: b }',
  'agents[].addresses[].labels.*': 'a string or number',
  'agents[].labels': 'a mapping of label names to values, such as { rack: r12, switch: tor-1 }',
  'agents[].labels.*': 'a string or number',
  expect: 'a mapping with pathMtu, minLinkEfficiency and/or maxRetransmitsPerGB',
  'expect.pathMtu': `an integer from ${MIN_PATH_MTU} to ${MAX_PATH_MTU}`,
  'expect.minLinkEfficiency': 'a number greater than 0 and at most 1, such as 0.9',
  'expect.maxRetransmitsPerGB': 'a number of 0 or more',
  tests: `a non-empty list of tests from ${TEST_KIND_NAMES.join(', ')}`,
  'tests[]': `a test: ${TEST_KIND_NAMES.join(' or ')}`,
  throughput: 'a mapping with streams, duration and/or repeats',
  'throughput.streams': 'a list of stream counts such as [1, 4] or a string such as "1,4"',
  'throughput.streams[]': `a stream count from 1 to ${MAX_STREAMS}`,
  'throughput.duration': 'a duration such as 10s, 1.5s or 500ms, or a number of seconds',
  'throughput.repeats': `an integer from 1 to ${MAX_REPEATS}`,
  pmtu: 'a mapping with flows',
  pairs: 'in-rail (the default: only endpoints on one rail, by rail label or IP subnet), all (cross-rail pairs too) or fabric (a sample: every pair within each ToR, every ToR pair once)',
  'pmtu.flows': `auto (the stated rule: 23 flows, the default) or a number of flows from 1 to ${MAX_SWEEP_FLOWS}`,
  concurrency: 'a mapping with pmtuParallel and/or throughput',
  'concurrency.pmtuParallel': `an integer from 1 to ${MAX_PMTU_PARALLEL}`,
  'concurrency.throughput': 'rounds or serial',
};

/** The fields an object at `key` (an EXPECTED key) accepts, for "unknown field" errors. */
export const KNOWN_FIELDS: Record<string, readonly string[]> = {
  '': Object.keys(PlanInput.shape),
  'agents[]': Object.keys(PlanAgentInput.shape),
  'agents[].addresses[]': ['address', 'labels'],
  expect: Object.keys(PlanExpectationsInput.shape),
  throughput: Object.keys(PlanThroughputInput.shape),
  pmtu: Object.keys(PlanPmtuInput.shape),
  concurrency: Object.keys(PlanConcurrencyInput.shape),
};
