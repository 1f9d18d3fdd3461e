import test from 'ava';
import fc from 'fast-check';
import { request, validateHeaderValue, type OutgoingHttpHeaders } from 'node:http';
import { AGENT_API, matchAgentRoute, type AgentRouteName } from '../../proto/agentApi.js';
import { ErrorResponse, HTTP_STATUS_OF } from '../../proto/errorCodes.js';
import { CONTRACT_VERSION_HEADER } from '../../proto/httpHeaders.js';
import { IN_PROCESS_TOKEN, openConnections, startInProcessAgent } from '../helpers/inProcessAgent.js';

/** Cases per property: fixed, so the suite's length and its coverage are the same every run. */
const RUNS = { anyRequest: 1000, mutatedValidBody: 600 } as const;
/** A request not answered by then counts as a hang. */
const ANSWER_DEADLINE_MS = 10_000;
/** Answers Node's parser gives before a request reaches the routes, each with an ErrorResponse too. */
const PARSER_STATUSES = new Set([400, 408, 431]);
/** Routes that would send packets (a sweep) or start iperf3: they may never succeed here. */
const NEVER_ADMITTED: ReadonlySet<AgentRouteName> = new Set(['sweep', 'runIperf', 'startIperfServers']);

interface Sent { method: string; path: string; headers: OutgoingHttpHeaders; body: Buffer | null }

/** Counterexamples in a line each: a 60 KiB body printed byte by byte would drown the report. */
function described(sent: Sent): Sent {
  const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…(${text.length} chars)` : text);
  return Object.assign(sent, {
    [fc.toStringMethod]: () => `${sent.method} ${clip(sent.path)} headers=${clip(JSON.stringify(sent.headers))} body=${sent.body === null ? 'none' : clip(JSON.stringify(sent.body.toString('latin1')))}`,
  });
}
interface Answer { status: number; contentType: string | undefined; body: Buffer }

function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: sent.method, path: sent.path, headers: sent.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(ANSWER_DEADLINE_MS, () => req.destroy(new Error(`no answer to ${sent.method} ${sent.path.slice(0, 80)} within ${ANSWER_DEADLINE_MS} ms`)));
    req.on('error', reject);
    req.end(sent.body ?? undefined);
  });
}

const validFacts: Sent = {
  method: 'GET', path: '/v1/facts', body: null,
  headers: { authorization: `Bearer ${IN_PROCESS_TOKEN}`, [CONTRACT_VERSION_HEADER]: '1' },
};

/**
 * What every answer must be: a success only for a valid request to a route that may succeed here,
 * matching the route's schema; otherwise an ErrorResponse whose code is in the registry, with that
 * code's status (or a parser status), one line, no stack, never ERR_INTERNAL.
 */
function checkAnswer(sent: Sent, answer: Answer): void {
  const what = `${sent.method} ${sent.path.slice(0, 80)} → HTTP ${answer.status}`;
  const pathname = URL.parse(`http://agent${sent.path.startsWith('/') ? '' : '/'}${sent.path}`)?.pathname;
  const match = pathname === undefined ? null : matchAgentRoute(sent.method, pathname);
  if (answer.status >= 200 && answer.status < 300) {
    if (match === null) throw new Error(`${what}: a success for no route`);
    if (NEVER_ADMITTED.has(match.name)) throw new Error(`${what}: a request that must be refused by policy was admitted`);
    const route = AGENT_API[match.name];
    if (answer.status !== route.status) throw new Error(`${what}: the descriptor says ${route.status}`);
    if (sent.method === 'HEAD') return;
    const parsed = route.response.safeParse(route.format === 'text' ? answer.body.toString('utf8') : JSON.parse(answer.body.toString('utf8')));
    if (!parsed.success) throw new Error(`${what}: the success breaks its schema`);
    return;
  }
  if (answer.status >= 500) throw new Error(`${what}: ${answer.body.toString('utf8').slice(0, 300)}`);
  if (answer.contentType !== 'application/json') throw new Error(`${what}: content-type ${answer.contentType}`);
  if (sent.method === 'HEAD') {
    if (!Object.values(HTTP_STATUS_OF).includes(answer.status as never) && !PARSER_STATUSES.has(answer.status)) throw new Error(`${what}: a status outside the registry`);
    return;
  }
  const parsed = ErrorResponse.safeParse(JSON.parse(answer.body.toString('utf8')));
  if (!parsed.success) throw new Error(`${what}: not an ErrorResponse: ${answer.body.toString('utf8').slice(0, 300)}`);
  const { code, message } = parsed.data.error;
  if (answer.status !== HTTP_STATUS_OF[code] && !(code === 'ERR_BAD_REQUEST' && PARSER_STATUSES.has(answer.status))) {
    throw new Error(`${what}: code ${code} belongs with HTTP ${HTTP_STATUS_OF[code]}`);
  }
  if (/[\r\n]/.test(message) || /\bat \S+:\d+:\d+/.test(message)) throw new Error(`${what}: a multi-line message or a stack: ${JSON.stringify(message.slice(0, 300))}`);
  if (message.length > 1000) throw new Error(`${what}: a message of ${message.length} characters echoes the request back`);
}

// ---- what a hostile client sends ----

const method = fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS');

const routePath = fc.oneof(
  fc.constantFrom(...Object.values(AGENT_API).map((route) => route.path)),
  fc.uuid().map((id) => `/v1/responders/${id}`),
  fc.uuid().map((id) => `/v1/iperf/servers/${id}`),
  fc.constantFrom('/', '//v1/facts', '/v1/facts/', '/v1/facts?x=1&x=2', '/V1/FACTS', '/v1/%66acts', '/v1/responders/%00',
    '/v1/../v1/facts', '/v1/responders/../facts', '/metrics?format=json', '/v2/facts', '*', '/v1/responders/' + 'f'.repeat(36)),
  fc.webPath(),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `/v1/${encodeURIComponent(s)}`),
  fc.integer({ min: 17_000, max: 40_000 }).map((n) => `/v1/${'a'.repeat(n)}`),
);

/** Only the header values Node's client can put on the wire (no CR, LF or characters above U+00FF). */
const headerText = fc.string({ unit: 'binary', maxLength: 60 }).filter((value) => {
  try {
    validateHeaderValue('x-check', value);
    return true;
  } catch {
    return false;
  }
});

const authorization = fc.oneof(
  // Mostly the right token: past auth is where most of the agent's code runs.
  { weight: 4, arbitrary: fc.constant(`Bearer ${IN_PROCESS_TOKEN}`) },
  fc.constant(undefined),
  fc.constantFrom('Bearer', 'Bearer ', `bearer ${IN_PROCESS_TOKEN}`, `Bearer  ${IN_PROCESS_TOKEN}`, `Basic ${Buffer.from('a:b').toString('base64')}`,
    `Bearer ${IN_PROCESS_TOKEN}\u00e9`, 'Bearer guess'),
  fc.constant([`Bearer ${IN_PROCESS_TOKEN}`, 'Bearer guess']),
  fc.constant(['Bearer guess', `Bearer ${IN_PROCESS_TOKEN}`]),
  fc.integer({ min: 1, max: 40_000 }).map((n) => `Bearer ${'t'.repeat(n)}`),
  headerText.map((s) => `Bearer ${s}`),
);

const contentType = fc.oneof(
  fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/json; charset=utf-16le',
    'multipart/form-data; boundary=x', ''),
  fc.constant(['application/json', 'text/html']),
  headerText,
);

const versionHeader = fc.oneof(
  { weight: 3, arbitrary: fc.constant('1') },
  fc.constantFrom(undefined, '1', '2', '0', '-1', '1.0', '1e0', '0x1', '', 'NaN', 'Infinity', '9007199254740993', 'one'),
  fc.constant(['1', '1']),
  fc.constant(['1', '2']),
  headerText,
);

const nestedJson = fc.integer({ min: 1, max: 30_000 }).chain((depth) =>
  fc.constantFrom(
    `${'['.repeat(depth)}${']'.repeat(depth)}`,
    `{"v":1,"target":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    `${'['.repeat(depth)}`,
  ));

const hugeNumber = fc.constantFrom('1e400', '-1e400', '1e-400', '9007199254740993', '-0', '0.1e1', '123456789012345678901234567890');

const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff\ud800', '\u202e1.0.0.721', '\ufeff', '１２７.０.０.１', '127.0.0.1\u0000', '::ffff:127.0.0.1',
    'fe80::1%lo', '198.18.0.1%eth0', '0x7f.1', '127.1', '__proto__', 'constructor'),
  fc.integer({ min: 60_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** A body in one of many wrong (or right) shapes, as the bytes that go on the wire. */
const body = fc.oneof(
  fc.constant(null),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify({ v: 1, ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { value }) })),
  nestedJson,
  hugeNumber.map((n) => `{"v":${n},"bindAddress":"127.0.0.1","ttlMs":${n}}`),
  hugeNumber.map((n) => `{"v":1,"bindAddress":"127.0.0.1","ttlMs":${n}}`),
  oddString.map((s) => JSON.stringify({ v: 1, bindAddress: s })),
  oddString.map((s) => JSON.stringify({ v: 1, mode: 'echo', target: { address: s } })),
  oddString.map((s) => `{"v":1,${JSON.stringify(s)}:1}`),
  fc.constantFrom('{"__proto__":{"v":1},"v":1,"bindAddress":"127.0.0.1"}', '{"v":1,"v":2}', '{"v":1,"bindAddress":"127.0.0.1",}', '\ufeff{"v":1}', '',
    'null', 'true', '"v"', '[]', '{', '{"v":1}garbage'),
).map((text) => (text === null ? null : Buffer.from(text, 'utf8')));

/** Bytes that are not UTF-8 at all: overlong forms, lone continuation bytes, UTF-16 with a BOM. */
const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    Buffer.from([0x7b, 0x22, 0x76, 0x22, 0x3a, 0x31, 0x2c, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]),
    Buffer.from('\ufeff{"v":1,"bindAddress":"127.0.0.1"}', 'utf16le'),
    Buffer.from([0xff, 0xfe, 0x00, 0x00]),
  ),
);

function headersOf(p: { authorization: unknown; contentType: unknown; version: unknown; extra: Array<[string, string]> }): OutgoingHttpHeaders {
  // Node types authorization as one string; a duplicated one is exactly what is being sent.
  const headers: Record<string, string | string[]> = {};
  if (p.authorization !== undefined) headers['authorization'] = p.authorization as string | string[];
  if (p.contentType !== undefined) headers['content-type'] = p.contentType as string | string[];
  if (p.version !== undefined) headers[CONTRACT_VERSION_HEADER] = p.version as string | string[];
  for (const [name, value] of p.extra) headers[name] = value;
  return headers;
}

const extraHeaders = fc.array(fc.tuple(fc.constantFrom('x-forwarded-for', 'transfer-encoding', 'expect', 'connection', 'x-pathprobe', 'content-encoding'), headerText), { maxLength: 2 })
  // Node's client owns these framing headers; a broken one is a client error, not something the agent sees.
  .map((pairs) => pairs.filter(([name]) => name !== 'transfer-encoding' && name !== 'expect' && name !== 'connection'));

const hostileRequest = fc.record({
  method, path: routePath, authorization, contentType, version: versionHeader, extra: extraHeaders,
  body: fc.oneof({ weight: 4, arbitrary: body }, { weight: 1, arbitrary: rawBytes }),
}).map((p): Sent => described({ method: p.method, path: p.path, headers: headersOf(p), body: p.method === 'HEAD' ? null : p.body }));

test('whatever a client sends, every answer is a success for a valid request or an ErrorResponse from the registry, and the agent keeps serving', async (t) => {
  const { port, agent } = await startInProcessAgent(t);
  const started = performance.now();
  await fc.assert(fc.asyncProperty(hostileRequest, async (sent) => {
    checkAnswer(sent, await send(port, sent));
    checkAnswer(validFacts, await send(port, validFacts));
  }), { numRuns: RUNS.anyRequest, includeErrorInReport: true });
  t.is((await send(port, validFacts)).status, 200);
  t.true(await openConnections(agent) <= 2, 'no connection is left behind');
  t.log(`${RUNS.anyRequest} hostile requests in ${Math.round(performance.now() - started)} ms`);
});

// ---- valid bodies, mutated ----

/** Addresses a sweep or iperf3 run may name here: never reached, and refused by the agent's policy. */
const neverReached = fc.oneof(
  fc.tuple(fc.integer({ min: 18, max: 19 }), fc.nat(255), fc.nat(255)).map(([b, c, d]) => `198.${b}.${c}.${d}`),
  fc.nat(0xffff).map((n) => `2001:2:0:${n.toString(16)}::1`),
);
const keyHex = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));

const validBodies = {
  openResponder: fc.record({ v: fc.constant(1), bindAddress: fc.constantFrom('127.0.0.1', '::1'), ttlMs: fc.integer({ min: 1000, max: 5000 }) }),
  sweep: fc.oneof(
    fc.record({ v: fc.constant(1), mode: fc.constant('peer'), target: fc.record({ address: neverReached, port: fc.integer({ min: 1, max: 65535 }), keyHex }), maxRounds: fc.integer({ min: 1, max: 64 }), flows: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ v: fc.constant(1), mode: fc.constant('echo'), target: fc.record({ address: neverReached }), maxRounds: fc.integer({ min: 1, max: 64 }) }),
  ),
  startIperfServers: fc.record({ v: fc.constant(1), bindAddress: fc.constantFrom('127.0.0.1', '::1'), count: fc.integer({ min: 1, max: 8 }), maxLifetimeMs: fc.integer({ min: 1000, max: 300_000 }) }),
  runIperf: fc.record({
    v: fc.constant(1), target: fc.record({ address: neverReached, ports: fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 8 }) }),
    streams: fc.integer({ min: 1, max: 128 }), mssBytes: fc.option(fc.integer({ min: 88, max: 9216 })), durationMs: fc.integer({ min: 1000, max: 240_000 }),
  }),
} satisfies Partial<Record<AgentRouteName, fc.Arbitrary<Record<string, unknown>>>>;

type Mutation = (body: Record<string, unknown>) => unknown;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>((b) => b),
  fc.constantFrom(...['v', 'bindAddress', 'target', 'mode', 'ttlMs', 'count', 'streams', 'keyHex', 'port']).chain((key) =>
    fc.oneof(
      fc.constant<Mutation>((b) => { const { [key]: _, ...rest } = b; return rest; }),
      fc.jsonValue().map<Mutation>((value) => (b) => ({ ...b, [key]: value })),
      oddString.map<Mutation>((value) => (b) => ({ ...b, [key]: value })),
      hugeNumber.map<Mutation>((n) => (b) => ({ ...b, [key]: Number(n) })),
      fc.constant<Mutation>((b) => ({ ...b, target: { ...(b.target as object), [key]: (b.target as Record<string, unknown> | undefined)?.[key] ?? 1, extra: true } })),
    )),
  fc.constant<Mutation>((b) => [b]),
  fc.constant<Mutation>((b) => ({ ...b, extra: null })),
);

const mutatedRequest = fc.constantFrom(...(Object.keys(validBodies) as Array<keyof typeof validBodies>)).chain((name) =>
  fc.record({ body: validBodies[name], mutate: mutation, version: fc.constantFrom('1', '1', '1', '2') }).map(({ body: valid, mutate, version }): Sent => described({
    method: AGENT_API[name].method,
    path: AGENT_API[name].path,
    headers: { authorization: `Bearer ${IN_PROCESS_TOKEN}`, 'content-type': 'application/json', [CONTRACT_VERSION_HEADER]: version },
    body: Buffer.from(JSON.stringify(mutate(valid)) ?? 'null', 'utf8'),
  })));

test('a valid body, mutated or not, to a route that would send packets is refused, never run', async (t) => {
  const { port } = await startInProcessAgent(t);
  const started = performance.now();
  const refused = new Map<string, number>();
  await fc.assert(fc.asyncProperty(mutatedRequest, async (sent) => {
    const answer = await send(port, sent);
    checkAnswer(sent, answer);
    if (answer.status >= 400) {
      const code = (JSON.parse(answer.body.toString('utf8')) as ErrorResponse).error.code;
      refused.set(code, (refused.get(code) ?? 0) + 1);
    }
  }), { numRuns: RUNS.mutatedValidBody, includeErrorInReport: true });
  t.is((await send(port, validFacts)).status, 200);
  // Not a tautology of the generator: valid bodies must reach the policy and be refused there.
  t.true((refused.get('ERR_POLICY') ?? 0) > 0, `refusals by code: ${JSON.stringify(Object.fromEntries(refused))}`);
  t.log(`${RUNS.mutatedValidBody} mutated valid bodies in ${Math.round(performance.now() - started)} ms; refusals by code ${JSON.stringify(Object.fromEntries(refused))}`);
});

// Regressions the properties found, pinned as examples so that no seed can miss them.

const authorized = { authorization: `Bearer ${IN_PROCESS_TOKEN}`, [CONTRACT_VERSION_HEADER]: '1', 'content-type': 'application/json' };

test('a request target that is no plain path is no route, not an internal error', async (t) => {
  const { port } = await startInProcessAgent(t);
  for (const path of ['//', '//v1/facts', '*', '//agent:99999/x']) {
    const sent: Sent = { method: 'GET', path, headers: authorized, body: null };
    const answer = await send(port, sent);
    checkAnswer(sent, answer);
    t.is(answer.status, 404, path);
  }
});

test('an oversized version, field name or path is quoted clipped, never echoed back whole', async (t) => {
  const { port } = await startInProcessAgent(t);
  const huge = 'x'.repeat(60_000);
  const bodies = [JSON.stringify({ v: huge }), JSON.stringify({ v: 1, bindAddress: '127.0.0.1', [huge]: 1 }), JSON.stringify({ v: 1, bindAddress: '127.0.0.1', ['a\nb']: 1 })];
  for (const text of bodies) {
    const sent: Sent = { method: 'POST', path: '/v1/responders', headers: authorized, body: Buffer.from(text) };
    const answer = await send(port, sent);
    checkAnswer(sent, answer);
    t.is(answer.status, 400);
  }
  const longPath: Sent = { method: 'GET', path: `/${'p'.repeat(10_000)}`, headers: authorized, body: null };
  checkAnswer(longPath, await send(port, longPath));
});
