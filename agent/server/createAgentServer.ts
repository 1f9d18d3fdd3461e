import { STATUS_CODES, createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { z } from 'zod';
import { CONTRACT_VERSION, contractVersionProblem } from '../../proto/contractVersion.js';
import { HTTP_STATUS_OF, PathprobeError, isWireErrorCode, type ErrorResponse } from '../../proto/errorCodes.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import {
  AGENT_API, matchAgentRoute, type AgentRoute, type AgentRouteName, type RouteParams, type RouteRequest, type RouteResponse,
} from '../../proto/agentApi.js';
import { CONTRACT_VERSION_HEADER } from '../../proto/httpHeaders.js';
import { MAX_QUOTED_CHARS, quoteClipped } from '../../proto/quoteClipped.js';
import { DEFAULT_TOKEN_NAME, createBearerCheck } from './bearerAuth.js';
import { decide, type AgentPolicy, type PolicyAction } from './agentPolicy.js';
import type { AuditEntry } from './auditLog.js';
import { certificateIdentities } from './callerIdentities.js';
import { withProbeRate } from '../probe/probeRate.js';
import type { ProbePolicy } from './probePolicy.js';
import { ResponderRegistry } from '../responderRegistry.js';
import { runFlowSweeps } from '../probe/runFlowSweeps.js';
import { ThroughputSlot } from '../throughputSlot.js';
import { IperfSessions } from '../iperfSessions.js';
import { runIperfClients } from '../iperf/runIperfClients.js';
import { requireIperf } from '../iperf/iperfVersion.js';
import { createAgentMetrics, type AgentMetrics } from '../metrics/agentMetrics.js';
import { DEFAULT_CONNECTION_LIMITS, limitConnectionsPerPeer, type ConnectionLimits } from './connectionLimits.js';

const MAX_BODY_BYTES = 64 * 1024;

/** PEM texts. With `clientCa`, only a client presenting a certificate signed by it gets in. */
export interface AgentTls {
  certificatePem: string;
  keyPem: string;
  clientCaPem: string | null;
}

export interface AgentServerOptions {
  /** The --token-file token (`token:default` to a policy); a policy may name more. */
  token: string | null;
  /** Who may do what (--policy); null lets every authenticated caller do everything. */
  accessPolicy?: AgentPolicy | null;
  /** Called once per request (and per refused TLS handshake). */
  audit?: ((entry: AuditEntry) => void) | null;
  /** HTTPS instead of HTTP; mutual TLS with `clientCa`. */
  tls?: AgentTls | null;
  policy: ProbePolicy;
  facts: () => Promise<AgentFactsResponse>;
  maxConcurrentSweeps?: number;
  log?: (line: string) => void;
  /** Counts tests, failures and busy refusals, served at GET /metrics; a fresh set by default. */
  metrics?: AgentMetrics;
  /** Timeouts and connection caps; the defaults suit production, tests shorten the timeouts. */
  limits?: Partial<ConnectionLimits>;
}

export interface AgentServer {
  server: Server | TlsServer;
  metrics: AgentMetrics;
  close(): Promise<void>;
}

interface HandlerInput<N extends AgentRouteName> {
  params: RouteParams<N>;
  /** Already checked against the route's request schema, defaults applied. */
  body: RouteRequest<N>;
  req: IncomingMessage;
  res: ServerResponse;
  /** The pace the caller's policy grant holds a sweep to; null for none. */
  probesPerSecond: number | null;
}
/** A failed handshake as an operator would put it. */
function handshakeRefusal(error: NodeJS.ErrnoException): string {
  const text = `${error.code ?? ''} ${error.message}`;
  if (/PEER_DID_NOT_RETURN_A_CERTIFICATE|CERTIFICATE_REQUIRED/i.test(text)) return 'no client certificate';
  if (/UNKNOWN_CA|UNABLE_TO_GET_ISSUER|SELF_SIGNED|VERIFY_FAILED|CERTIFICATE_VERIFY_FAILED/i.test(text)) return 'client certificate not signed by --client-ca';
  if (/EXPIRED/i.test(text)) return 'client certificate expired';
  if (/UNSUPPORTED_PROTOCOL|VERSION_TOO_LOW|WRONG_VERSION/i.test(text)) return 'TLS version below 1.2';
  if (/HTTP_REQUEST/i.test(text)) return 'plain HTTP sent to the HTTPS port';
  return error.code ?? error.message;
}

/** What the audit line of a request says, filled in as the request is answered. */
interface RequestSeen {
  identities: string[];
  route: string | null;
  /** Past auth, version, route, body and policy checks: its handler ran. */
  admitted: boolean;
  errorCode: string | null;
  reason: string | null;
}

/** What a request asks for, in the policy's terms. */
function policyActionOf(name: AgentRouteName, body: unknown): PolicyAction {
  switch (name) {
    case 'openResponder': case 'closeResponder': return { test: 'pmtu' };
    case 'sweep': {
      const sweep = body as RouteRequest<'sweep'>;
      return { test: sweep.mode === 'echo' ? 'echo' : 'pmtu', targetAddress: sweep.target.address };
    }
    case 'startIperfServers': case 'stopIperfServers': return { test: 'throughput' };
    case 'runIperf': {
      const run = body as RouteRequest<'runIperf'>;
      return { test: 'throughput', targetAddress: run.target.address, durationMs: run.omitMs + run.durationMs, streams: run.streams };
    }
    default: return { test: null };
  }
}

/** One handler per route of the descriptor; each runs after auth, version, route and body checks. */
type AgentHandlers = { [N in AgentRouteName]: (input: HandlerInput<N>) => Promise<RouteResponse<N>> };

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY_BYTES) throw new PathprobeError('ERR_BAD_REQUEST', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PathprobeError('ERR_BAD_REQUEST', 'request body is not valid JSON', { cause: error });
  }
}

/** One line naming the first problems, e.g. "target.port: must be ≤ 65535". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.map(fieldSegment).join('.') : 'body'}: ${issueMessage(issue)}`)
    .join('; ');
}

/** A field name as the caller spelt it, quoted and clipped when it is no plain identifier. */
function fieldSegment(segment: PropertyKey): string {
  if (typeof segment === 'number') return String(segment);
  const name = String(segment);
  return /^[A-Za-z_][A-Za-z0-9_-]{0,59}$/.test(name) ? name : quoteClipped(name);
}

/** zod's words, except where they would quote the caller's own keys back in full. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.slice(0, 3).map(quoteClipped).join(', ')}${issue.keys.length > 3 ? ', …' : ''}`;
  }
  return issue.message;
}

/** A method or path as an error message quotes it: as sent when short, clipped when not. */
function shownRequestPart(text: string): string {
  return text.length <= MAX_QUOTED_CHARS ? text : quoteClipped(text);
}

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const v = (body as { v?: unknown } | null)?.v;
  const versionProblem = contractVersionProblem(v, 'this agent');
  if (versionProblem) throw new PathprobeError('ERR_VERSION', versionProblem);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new PathprobeError('ERR_BAD_REQUEST', `invalid request: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    [CONTRACT_VERSION_HEADER]: String(CONTRACT_VERSION),
  });
  res.end(text);
}

/**
 * Serves the routes of AGENT_API. Order of checks: auth (nothing runs without it), contract
 * version, route, body schema, policy (in the handlers). Every failure is an `ErrorResponse` body
 * carrying a wire code.
 */
export function createAgentServer(options: AgentServerOptions): AgentServer {
  const accessPolicy = options.accessPolicy ?? null;
  const tokens = new Map(accessPolicy?.tokens ?? []);
  if (options.token !== null) tokens.set(DEFAULT_TOKEN_NAME, options.token);
  const tokenOf = createBearerCheck(tokens);
  const audit = options.audit ?? null;
  const responders = new ResponderRegistry();
  const throughputSlot = new ThroughputSlot();
  const iperfSessions = new IperfSessions(throughputSlot);
  const maxSweeps = options.maxConcurrentSweeps ?? 16;
  const log = options.log ?? (() => {});
  const metrics = options.metrics ?? createAgentMetrics();
  let sweepsRunning = 0;
  const startedAtMs = performance.now();

  /** Runs in flight: aborted when their controller hangs up or the agent shuts down. */
  const runsInFlight = new Set<AbortController>();

  const handlers: AgentHandlers = {
    facts: () => options.facts(),
    health: async () => ({ v: CONTRACT_VERSION, uptimeMs: Math.round(performance.now() - startedAtMs) }),
    async openResponder({ body }) {
      if (!options.policy.ownsAddress(body.bindAddress)) {
        throw new PathprobeError('ERR_POLICY', `${body.bindAddress} is not an address of this host`);
      }
      return responders.open(body.bindAddress, body.ttlMs);
    },
    closeResponder: ({ params }) => responders.close(params.id),
    async sweep({ body, probesPerSecond }) {
      if (body.mode === 'echo' && !options.policy.allowsEchoTarget(body.target.address)) {
        throw new PathprobeError('ERR_POLICY',
          `${body.target.address} is outside this agent's --allow list (${options.policy.allowCidrs.join(', ') || 'empty'})`);
      }
      if (body.sourceAddress && !options.policy.ownsAddress(body.sourceAddress)) {
        throw new PathprobeError('ERR_POLICY', `source ${body.sourceAddress} is not an address of this host`);
      }
      if (sweepsRunning >= maxSweeps) {
        throw new PathprobeError('ERR_BUSY', `this agent is already running ${sweepsRunning} path-MTU sweeps`);
      }
      sweepsRunning += 1;
      metrics.testStarted('pmtu');
      try {
        return await withProbeRate(probesPerSecond, () => runFlowSweeps(body));
      } catch (error) {
        metrics.testFailed('pmtu');
        throw error;
      } finally {
        sweepsRunning -= 1;
      }
    },
    async startIperfServers({ body }) {
      if (!options.policy.ownsAddress(body.bindAddress)) {
        throw new PathprobeError('ERR_POLICY', `${body.bindAddress} is not an address of this host`);
      }
      return iperfSessions.start(body);
    },
    stopIperfServers: ({ params }) => iperfSessions.stop(params.id),
    async runIperf({ body, res }) {
      if (body.sourceAddress && !options.policy.ownsAddress(body.sourceAddress)) {
        throw new PathprobeError('ERR_POLICY', `source ${body.sourceAddress} is not an address of this host`);
      }
      // Before the slot: an agent without iperf3 says so even while busy.
      await requireIperf();
      // iperf3 only reaches a server some agent started for this test, so no --allow check here:
      // a client toward anything else is refused by the network, not fed by this agent.
      const release = throughputSlot.acquire(`iperf3 client toward ${body.target.address}`);
      // Nobody would read the result of a run whose controller is gone: stop its iperf3 clients
      // rather than keep the slot (and the link) busy until their deadline.
      const abort = new AbortController();
      const hangUp = () => { if (!res.writableFinished) abort.abort(); };
      res.once('close', hangUp);
      runsInFlight.add(abort);
      metrics.testStarted('throughput');
      let measured = false;
      try {
        const result = await runIperfClients(body, { signal: abort.signal });
        measured = result.processes.length > 0 && result.processes.every((p) => p.failure === null);
        return result;
      } finally {
        if (!measured) metrics.testFailed('throughput');
        runsInFlight.delete(abort);
        res.off('close', hangUp);
        release();
      }
    },
    metrics: async () => (await metrics.render()).text,
  };

  /** What the caller proved: a client certificate and/or a token; ERR_AUTH when a token is due and missing. */
  function identitiesOf(req: IncomingMessage, seen: RequestSeen): string[] {
    // Belt and braces: 'secureConnection' already closed any socket the client CA did not vouch for.
    if (tls?.clientCaPem != null && (req.socket as TLSSocket).authorized !== true) throw new PathprobeError('ERR_AUTH', 'no client certificate from the client CA');
    // Kept as they are proved, so a refused token's audit line still names the certificate.
    seen.identities = certificateIdentities(req);
    if (tokens.size > 0) {
      const name = tokenOf(req.headers.authorization);
      if (name === null) throw new PathprobeError('ERR_AUTH', 'missing or wrong bearer token');
      seen.identities.push(`token:${name}`);
    }
    return seen.identities.length > 0 ? seen.identities : ['anonymous'];
  }

  async function answer(req: IncomingMessage, res: ServerResponse, seen: RequestSeen): Promise<{ route: AgentRoute; body: unknown }> {
    seen.identities = identitiesOf(req, seen);
    const method = req.method ?? 'GET';
    // Prefixed, not resolved against a base: a request target such as "//x" would otherwise name
    // a host, and "*" or "http:" no URL at all (a TypeError, answered as ERR_INTERNAL).
    const pathname = URL.parse(`http://agent${(req.url ?? '/').startsWith('/') ? req.url : `/${req.url}`}`)?.pathname ?? null;
    const match = pathname === null ? null : matchAgentRoute(method, pathname);
    const route: AgentRoute | null = match ? AGENT_API[match.name] : null;
    // Text routes serve scrapers that send the bearer token but no contract-version header.
    if (route?.format !== 'text') {
      const headerVersion = req.headers[CONTRACT_VERSION_HEADER];
      const versionProblem = contractVersionProblem(headerVersion === undefined ? undefined : Number(headerVersion), 'this agent');
      if (versionProblem) throw new PathprobeError('ERR_VERSION', versionProblem);
    }
    if (!match || !route) throw new PathprobeError('ERR_NOT_FOUND', `no such endpoint: ${shownRequestPart(method)} ${shownRequestPart(pathname ?? req.url ?? '')}`);
    seen.route = match.name;
    const body = route.request === null ? undefined : parseBody(route.request, await readJsonBody(req));
    let probesPerSecond: number | null = null;
    if (accessPolicy !== null) {
      const decision = decide(accessPolicy, seen.identities, policyActionOf(match.name, body));
      if (!decision.allow) throw new PathprobeError('ERR_POLICY', `refused: ${decision.reason}`);
      probesPerSecond = decision.probesPerSecond;
    }
    // The descriptor ties each name to its own body and params; TypeScript cannot follow that
    // correlation through a name known only at run time.
    const handler = handlers[match.name] as (input: HandlerInput<AgentRouteName>) => Promise<unknown>;
    seen.admitted = true;
    return { route, body: await handler({ params: match.params, body, req, res, probesPerSecond } as HandlerInput<AgentRouteName>) };
  }

  const listener: RequestListener = (req, res) => {
    const startedAt = performance.now();
    const seen: RequestSeen = { identities: [], route: null, admitted: false, errorCode: null, reason: null };
    if (audit !== null) {
      res.once('finish', () => {
        const refused = !seen.admitted || seen.errorCode === 'ERR_BUSY' || seen.errorCode === 'ERR_POLICY';
        audit({
          time: new Date().toISOString(), remote: req.socket.remoteAddress ?? null, identities: seen.identities,
          method: req.method ?? '', path: req.url ?? '', route: seen.route, decision: refused ? 'deny' : 'allow',
          ...(seen.reason === null ? {} : { reason: seen.reason }),
          status: res.statusCode, durationMs: Math.round(performance.now() - startedAt),
        });
      });
    }
    answer(req, res, seen).then(
      ({ route, body }) => {
        if (route.format === 'text') {
          const text = String(body);
          res.writeHead(route.status, { 'content-type': route.contentType, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        } else {
          send(res, route.status, body);
        }
      },
      (reason: unknown) => {
        const error = PathprobeError.from(reason);
        // Controller-local codes mean nothing to a controller coming from an agent.
        const code = isWireErrorCode(error.code) ? error.code : 'ERR_INTERNAL';
        seen.errorCode = code;
        seen.reason = `${code}: ${error.message}`;
        if (code === 'ERR_BUSY') metrics.busyRefused();
        if (error !== reason || code !== error.code || code === 'ERR_PROBE_FAILED') log(`${req.method} ${req.url}: ${error.code}: ${error.message}`);
        // Details travel only with the code they were written for (e.g. a can-run refusal's canRun).
        const details = code === error.code && error.details !== undefined ? { details: error.details } : {};
        const body: ErrorResponse = { v: CONTRACT_VERSION, error: { code, message: error.message, ...details } };
        // Drain whatever the client still sends so the connection can be answered cleanly.
        req.resume();
        send(res, HTTP_STATUS_OF[code], body);
      },
    );
  };
  const tls = options.tls ?? null;
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const httpOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    maxHeaderSize: limits.maxHeaderBytes,
  };
  const server = tls === null ? createServer(httpOptions, listener) : createTlsServer({
    ...httpOptions,
    cert: tls.certificatePem,
    key: tls.keyPem,
    // TLS 1.0 and 1.1 are broken and deprecated (RFC 8996).
    minVersion: 'TLSv1.2',
    handshakeTimeout: limits.tlsHandshakeTimeoutMs,
    // Verified here rather than by rejectUnauthorized, which drops the connection without saying
    // why: the refusal and its reason (unknown CA, expired) go to the log and the audit trail.
    ...(tls.clientCaPem === null ? {} : { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: false }),
  }, listener);
  // Idle keep-alive connections are closed by the controller (after 10 s), not by us: a
  // server closing one just as the client reuses it reads as "connection reset" on a busy host.
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  limitConnectionsPerPeer(server, limits.maxConnectionsPerPeer, log);
  // Requests Node's parser refuses (headers too large or too slow, not HTTP at all) still get an
  // ErrorResponse, so a controller reads "the agent refused" rather than "not an agent".
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, message] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, `request headers are larger than ${limits.maxHeaderBytes} bytes`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, `request not received in time (headers within ${limits.headersTimeoutMs} ms, the whole request within ${limits.requestTimeoutMs} ms)`]
        : [400, `malformed HTTP request (${error.code ?? error.message})`];
    // An answer to HEAD has no body: the bytes of one would read as the start of the next answer.
    const head = (error as NodeJS.ErrnoException & { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    const body = head ? '' : JSON.stringify({ v: CONTRACT_VERSION, error: { code: 'ERR_BAD_REQUEST', message } } satisfies ErrorResponse);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\n`
      + `content-length: ${Buffer.byteLength(body)}\r\n${CONTRACT_VERSION_HEADER}: ${CONTRACT_VERSION}\r\n\r\n${body}`, () => socket.destroy());
  });
  if (tls !== null) {
    // A refused handshake never becomes a request, yet it is exactly what an audit must show.
    const refuse = (remote: string | null, why: string) => {
      log(`TLS handshake from ${remote ?? '?'} refused: ${why}`);
      audit?.({ time: new Date().toISOString(), remote, identities: [], method: '', path: '', route: null, decision: 'deny', reason: `TLS: ${why}`, status: 0, durationMs: 0 });
    };
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => refuse(socket.remoteAddress ?? null, handshakeRefusal(error)));
    if (tls.clientCaPem !== null) {
      server.on('secureConnection', (socket: TLSSocket) => {
        if (socket.authorized) return;
        const code = String(socket.authorizationError ?? '');
        refuse(socket.remoteAddress ?? null, socket.getPeerCertificate()?.raw === undefined ? 'no client certificate'
          : /EXPIRED/.test(code) ? 'client certificate expired'
          : /ISSUER|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? 'client certificate not signed by --client-ca'
          : `client certificate refused (${code})`);
        socket.destroy();
      });
    }
  }

  return {
    server,
    metrics,
    async close() {
      for (const abort of runsInFlight) abort.abort();
      await Promise.all([responders.closeAll(), iperfSessions.stopAll()]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
