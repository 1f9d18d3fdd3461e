import { isIP } from 'node:net';
import { Agent, fetch, type Response } from 'undici';
import type { ClientTls } from './clientTls.js';
import { formatDuration } from '../render/quantityText.js';
import { tlsRefusalCode } from './tlsRefusal.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import {
  AGENT_API, pathOf, type AgentRoute, type JsonRouteName, type RouteParams, type RouteRequestInput, type RouteResponse,
} from '../../proto/agentApi.js';
import { CONTRACT_VERSION, contractVersionProblem } from '../../proto/contractVersion.js';
import { ErrorResponse, PathprobeError } from '../../proto/errorCodes.js';
import { CONTRACT_VERSION_HEADER } from '../../proto/httpHeaders.js';
import type { CloseResponderResponse, OpenResponderResponse } from '../../proto/responder.js';
import type { PmtuSweepRequest, PmtuSweepResult } from '../../proto/pmtuSweep.js';
import type { IperfRunRequest, IperfRunResult, StartIperfServersResponse, StopIperfServersResponse } from '../../proto/throughput.js';

/** Parses and checks an agent URL given on the command line or in a plan. */
export function parseAgentUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new PathprobeError('ERR_USAGE', `${flag} ${JSON.stringify(text)} is not an agent URL such as http://198.19.0.1:7420`, { cause: error });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || (url.pathname !== '/' && url.pathname !== '')) {
    throw new PathprobeError('ERR_USAGE', `${flag} ${JSON.stringify(text)} is not an agent URL such as http://198.19.0.1:7420`);
  }
  return url;
}

/**
 * The data-plane address a command uses when none is given: the host of the agent's URL, if that
 * host is an IP address ("[2001:2::1]" → "2001:2::1"). Throws ERR_USAGE naming the flag otherwise.
 */
export function addressFor(given: string | undefined, url: URL, flag: string): string {
  if (given !== undefined) {
    if (isIP(given) === 0) throw new PathprobeError('ERR_USAGE', `${flag} ${JSON.stringify(given)} is not an IPv4 or IPv6 address`);
    return given;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) throw new PathprobeError('ERR_USAGE', `${flag} is needed: the agent URL ${url.origin} does not name an IP address`);
  return host;
}

/**
 * A TLS failure in words an operator acts on, or null when it is not one. These are the
 * controller's own (or the agent's refusal of it), so they are ERR_TLS, not "unreachable".
 */
function describeTlsFailure(code: string | undefined, message: string): string | null {
  const text = `${code ?? ''} ${message}`;
  if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT/.test(text)) {
    return 'its certificate is not signed by a CA we trust (unknown CA): give the CA that signed it with --ca (or tls.ca in the plan)';
  }
  if (/CERT_HAS_EXPIRED/.test(text)) return 'its certificate has expired: issue a new one (pathprobe certs issue agent NAME ...)';
  if (/CERT_NOT_YET_VALID/.test(text)) return 'its certificate is not valid yet: check the clocks';
  if (/ERR_TLS_CERT_ALTNAME_INVALID/.test(text)) {
    return `wrong name: ${message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}; issue it with the --ip/--dns the URL uses`;
  }
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE.*certificate|alert certificate required/i.test(text)) {
    return 'the agent requires a client certificate (mutual TLS): give --cert and --key (or tls.cert and tls.key in the plan)';
  }
  if (/UNKNOWN_CA|alert unknown ca/i.test(text)) return 'the agent does not trust our client certificate (unknown CA): issue it from the agent\'s --client-ca';
  if (/BAD_CERTIFICATE|CERTIFICATE_EXPIRED|alert bad certificate|alert certificate expired/i.test(text)) return 'the agent refused our client certificate (bad or expired)';
  if (/CLIENT_CERTIFICATE_REFUSED/.test(text)) return 'the agent hung up on our client certificate: is it issued by the agent\'s --client-ca, and still valid?';
  if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION_NUMBER/i.test(text)) return 'TLS version or protocol mismatch: is the agent serving plain HTTP (use http://) or HTTPS (https://)?';
  if (/^ERR_SSL_|^ERR_TLS_|CERT_/.test(code ?? '')) return message;
  return null;
}

/** Node's fetch hides the socket error in `cause`; name it the way an operator would. */
function describeNetworkFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED': return 'connection refused (is the agent running?)';
    case 'EHOSTUNREACH': return 'host unreachable';
    case 'ENETUNREACH': return 'network unreachable';
    case 'ECONNRESET': return 'connection reset';
    case 'ENOTFOUND': return 'host name not found';
    case 'UND_ERR_SOCKET': return 'the connection closed before an answer (did the agent stop?)';
    case 'UND_ERR_CONNECT_TIMEOUT': return 'connect timed out';
    default: return cause?.message ?? (error as Error).message;
  }
}

export interface AgentClientOptions {
  token: string | null;
  /** CA, certificate and key for https:// agents; null trusts the system's CAs and presents none. */
  tls?: ClientTls | null;
  /** For a sweep, which the agent bounds by its own rounds: a backstop. */
  timeoutMs?: number;
  /** For a request that does no test (facts, opening a responder, starting iperf3 servers). */
  quickTimeoutMs?: number;
  /** How long a health check may take; a test in flight is checked on this beat too. */
  healthTimeoutMs?: number;
  /** How often an agent that stopped answering is asked again. */
  silentRecheckMs?: number;
  /** How long an idle connection is kept for the next request; far below the agent's 65 s. */
  idleConnectionMs?: number;
}

/** Routes that run a test: they may take long, so the agent's health is checked while they do. */
const TEST_ROUTES: ReadonlySet<JsonRouteName> = new Set(['sweep', 'runIperf']);
/** A test in flight is given up after this many health checks in a row got no answer. */
const MISSED_HEALTH_CHECKS = 2;

/** Why an agent counts as not answering, and since when. */
interface Silence {
  sinceMs: number;
  reason: string;
  checkedAtMs: number;
}

const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * A signal that aborts with a TimeoutError after `ms`, and its timer's release. Not
 * AbortSignal.timeout inside AbortSignal.any: Node 20 may collect such a timeout signal before it
 * fires, and a request toward a hung agent then waits forever.
 */
function deadline(controller: AbortController, ms: number): () => void {
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer in ${ms} ms`, 'TimeoutError')), ms);
  return () => clearTimeout(timer);
}

/**
 * Talks to one agent. Validates every response; every failure is a PathprobeError with a stable code.
 *
 * A hung agent (stopped, or behind a partition) costs a run one short deadline, not a minute per
 * request: a request that does no test gets seconds; a test in flight is given up when the
 * agent's health checks go unanswered; and once the agent is known silent, every further request
 * fails at once with why and since when, until a health check (every 30 s at most) gets an answer.
 */
export class AgentClient {
  readonly url: URL;
  readonly #token: string | null;
  readonly #timeoutMs: number;
  readonly #quickTimeoutMs: number;
  readonly #healthTimeoutMs: number;
  readonly #silentRecheckMs: number;
  readonly #dispatcher: Agent;
  readonly #tls: ClientTls | null;
  #silence: Silence | null = null;
  #recheck: Promise<boolean> | null = null;

  constructor(url: URL, options: AgentClientOptions) {
    this.url = url;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#quickTimeoutMs = options.quickTimeoutMs ?? 15_000;
    this.#healthTimeoutMs = options.healthTimeoutMs ?? 5_000;
    this.#silentRecheckMs = options.silentRecheckMs ?? 30_000;
    const tls = options.tls ?? null;
    this.#tls = tls;
    if (tls !== null && url.protocol !== 'https:') {
      throw new PathprobeError('ERR_USAGE', `agent ${url.origin}: TLS settings are given but the URL is http://; use https://`);
    }
    const idleConnectionMs = options.idleConnectionMs ?? 10_000;
    this.#dispatcher = new Agent({
      // An idle connection is ours to close, long before the agent would (65 s): a controller
      // busy with thousands of pairs reacts late to timers and to a server's FIN, and a request
      // sent on a connection the agent has just closed fails as "closed before an answer".
      keepAliveTimeout: idleConnectionMs,
      keepAliveMaxTimeout: idleConnectionMs,
      // undici's own Agent: Node's built-in fetch takes no CA or client certificate.
      ...(tls === null ? {} : {
        connect: {
          ...(tls.caPem === null ? {} : { ca: tls.caPem }),
          ...(tls.certificatePem === null ? {} : { cert: tls.certificatePem, key: tls.keyPem ?? undefined }),
          minVersion: 'TLSv1.2',
        },
      }),
    });
  }

  get label(): string {
    return this.url.origin;
  }

  facts(): Promise<AgentFactsResponse> {
    return this.call('facts', {});
  }

  openResponder(bindAddress: string): Promise<OpenResponderResponse> {
    return this.call('openResponder', { body: { v: CONTRACT_VERSION, bindAddress, ttlMs: 120_000 } });
  }

  closeResponder(responderId: string): Promise<CloseResponderResponse> {
    return this.call('closeResponder', { params: { id: responderId } });
  }

  sweep(request: PmtuSweepRequest): Promise<PmtuSweepResult> {
    return this.call('sweep', { body: request });
  }

  startIperfServers(bindAddress: string, count: number, maxLifetimeMs: number): Promise<StartIperfServersResponse> {
    return this.call('startIperfServers', { body: { v: CONTRACT_VERSION, bindAddress, count, maxLifetimeMs } });
  }

  stopIperfServers(sessionId: string): Promise<StopIperfServersResponse> {
    return this.call('stopIperfServers', { params: { id: sessionId } });
  }

  /** The agent bounds the run itself; this waits that long plus a margin for the answer. */
  runIperf(request: IperfRunRequest): Promise<IperfRunResult> {
    const expectedMs = request.omitMs + request.durationMs;
    return this.call('runIperf', { body: request }, { timeoutMs: expectedMs + 30_000 });
  }

  /** The agent's event loop runs: any HTTP answer within the health deadline (an older agent's 404 too). */
  async #answers(): Promise<boolean> {
    const controller = new AbortController();
    const release = deadline(controller, this.#healthTimeoutMs);
    try {
      const response = await fetch(new URL(AGENT_API.health.path, this.url), {
        headers: this.#headers(false),
        signal: controller.signal,
        dispatcher: this.#dispatcher,
      });
      await response.arrayBuffer();
      return true;
    } catch {
      return false;
    } finally {
      release();
    }
  }

  #silentError(): PathprobeError {
    const silence = this.#silence!;
    return new PathprobeError('ERR_AGENT_UNREACHABLE',
      `agent ${this.label} has not answered since ${clockTime(silence.sinceMs)} (${silence.reason}); not waiting for it again`,
      { details: { agent: this.label } });
  }

  #markSilent(reason: string): void {
    const nowMs = Date.now();
    this.#silence ??= { sinceMs: nowMs, reason, checkedAtMs: nowMs };
  }

  /** Fails at once while the agent is known silent, asking it again at most every silentRecheckMs. */
  async #whenAnswering(): Promise<void> {
    const silence = this.#silence;
    if (silence === null) return;
    if (Date.now() - silence.checkedAtMs < this.#silentRecheckMs) throw this.#silentError();
    // One health check for every request waiting on this agent.
    this.#recheck ??= this.#answers().finally(() => { this.#recheck = null; });
    if (await this.#recheck) {
      this.#silence = null;
      return;
    }
    silence.checkedAtMs = Date.now();
    throw this.#silentError();
  }

  /** Health checks on a beat while a test runs; calls `silent` when MISSED_HEALTH_CHECKS go unanswered. */
  #watch(silent: () => void): () => void {
    let given = false;
    let missed = 0;
    let checking = false;
    const beat = setInterval(() => {
      if (checking) return;
      checking = true;
      void this.#answers().then((answered) => {
        checking = false;
        missed = answered ? 0 : missed + 1;
        if (missed < MISSED_HEALTH_CHECKS || given) return;
        given = true;
        this.#markSilent(`${MISSED_HEALTH_CHECKS} health checks in a row got no answer in ${formatDuration(this.#healthTimeoutMs)}`);
        silent();
      });
    }, this.#healthTimeoutMs);
    return () => clearInterval(beat);
  }

  #headers(withBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { [CONTRACT_VERSION_HEADER]: String(CONTRACT_VERSION) };
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`;
    if (withBody) headers['content-type'] = 'application/json';
    return headers;
  }

  /** Calls one JSON route of AGENT_API and returns its answer checked against the route's response schema. */
  async call<N extends JsonRouteName>(name: N, input: CallInput<N>, options: { timeoutMs?: number } = {}): Promise<RouteResponse<N>> {
    const route: AgentRoute = AGENT_API[name];
    const { method } = route;
    const path = pathOf(name, (input.params ?? {}) as RouteParams<N>);
    await this.#whenAnswering();
    const isTest = TEST_ROUTES.has(name);
    const deadlineMs = options.timeoutMs ?? (isTest ? this.#timeoutMs : this.#quickTimeoutMs);
    const stop = new AbortController();
    let silenced = false;
    const release = deadline(stop, deadlineMs);
    const unwatch = isTest ? this.#watch(() => { silenced = true; stop.abort(); }) : () => {};
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL(path, this.url), {
        method,
        headers: this.#headers(input.body !== undefined),
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
        signal: stop.signal,
        dispatcher: this.#dispatcher,
      });
      text = await response.text();
    } catch (error) {
      if (silenced) throw this.#silentError();
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const timedOut = (error as Error).name === 'TimeoutError';
      const noAnswer = `no answer to ${method} ${path} in ${formatDuration(deadlineMs)}`;
      if (timedOut && !isTest) this.#markSilent(noAnswer);
      // Behind a partition nothing answers the connection at all; a refused one is quick, so it need not be remembered.
      if (cause?.code === 'UND_ERR_CONNECT_TIMEOUT' || cause?.code === 'EHOSTUNREACH' || cause?.code === 'ENETUNREACH') this.#markSilent(describeNetworkFailure(error));
      let tlsFailure = describeTlsFailure(cause?.code, cause?.message ?? '');
      if (tlsFailure === null && this.url.protocol === 'https:' && (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET')) {
        const refusal = await tlsRefusalCode(this.url, this.#tls);
        if (refusal !== null) tlsFailure = describeTlsFailure(refusal, refusal);
      }
      if (tlsFailure !== null) throw new PathprobeError('ERR_TLS', `agent ${this.label}: ${tlsFailure}`, { cause: error, details: { agent: this.label } });
      throw new PathprobeError('ERR_AGENT_UNREACHABLE', `agent ${this.label} unreachable: ${timedOut ? noAnswer : describeNetworkFailure(error)}`, { cause: error, details: { agent: this.label } });
    } finally {
      release();
      unwatch();
    }
    const json = parseJsonOrUndefined(text);
    const spoken = (json as { v?: unknown } | undefined)?.v;
    // Every answer of an agent, of any version, is a JSON object with an integer `v`.
    if (json === null || typeof json !== 'object' || Array.isArray(json) || !Number.isInteger(spoken)) {
      const contentType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || 'no content type';
      throw new PathprobeError('ERR_NOT_AN_AGENT',
        `${this.label} answered ${method} ${path} with HTTP ${response.status} (${contentType}), not as a pathprobe agent: a proxy or another service on that port?`,
        { details: { agent: this.label, status: response.status, contentType } });
    }
    const versionProblem = contractVersionProblem(spoken, 'this controller');
    if (versionProblem) {
      throw new PathprobeError('ERR_VERSION', `agent ${this.label} speaks contract version ${JSON.stringify(spoken)}; ${versionProblem}`);
    }
    if (!response.ok) {
      const failure = ErrorResponse.safeParse(json);
      if (!failure.success) {
        throw new PathprobeError('ERR_AGENT_PROTOCOL', `${this.label} answered HTTP ${response.status} with an unrecognised error body`);
      }
      throw new PathprobeError(failure.data.error.code, `agent ${this.label}: ${failure.data.error.message}`, { details: failure.data.error.details });
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      throw new PathprobeError('ERR_AGENT_PROTOCOL', `${this.label} sent a malformed answer to ${method} ${path}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data as RouteResponse<N>;
  }
}

/** Params for a path with ids, a body for a route that takes one, and nothing else. */
export type CallInput<N extends JsonRouteName> =
  & (keyof RouteParams<N> extends never ? { params?: undefined } : { params: RouteParams<N> })
  & (RouteRequestInput<N> extends undefined ? { body?: undefined } : { body: RouteRequestInput<N> });

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
