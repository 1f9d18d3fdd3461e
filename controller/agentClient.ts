import { isIP } from 'node:net';
import type { z } from 'zod';
import { AgentFactsResponse } from '../proto/agentFacts.js';
import { CONTRACT_VERSION, contractVersionProblem } from '../proto/contractVersion.js';
import { ErrorResponse, PathprobeError } from '../proto/errorCodes.js';
import { CONTRACT_VERSION_HEADER } from '../proto/httpHeaders.js';
import { CloseResponderResponse, OpenResponderResponse } from '../proto/responder.js';
import { PmtuSweepResult, type PmtuSweepRequest } from '../proto/pmtuSweep.js';
import { IperfRunResult, StartIperfServersResponse, StopIperfServersResponse, type IperfRunRequest } from '../proto/throughput.js';

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
    default:
      if ((error as Error).name === 'TimeoutError') return 'no answer in time';
      return cause?.message ?? (error as Error).message;
  }
}

export interface AgentClientOptions {
  token: string | null;
  /** Per request; a sweep is bounded by the agent's own rounds, so this is a backstop. */
  timeoutMs?: number;
}

/** Talks to one agent. Validates every response; every failure is a PathprobeError with a stable code. */
export class AgentClient {
  readonly url: URL;
  readonly #token: string | null;
  readonly #timeoutMs: number;

  constructor(url: URL, options: AgentClientOptions) {
    this.url = url;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  get label(): string {
    return this.url.origin;
  }

  facts(): Promise<AgentFactsResponse> {
    return this.#request('GET', '/v1/facts', undefined, AgentFactsResponse);
  }

  openResponder(bindAddress: string): Promise<OpenResponderResponse> {
    return this.#request('POST', '/v1/responders', { v: CONTRACT_VERSION, bindAddress, ttlMs: 120_000 }, OpenResponderResponse);
  }

  closeResponder(responderId: string): Promise<CloseResponderResponse> {
    return this.#request('DELETE', `/v1/responders/${responderId}`, undefined, CloseResponderResponse);
  }

  sweep(request: PmtuSweepRequest): Promise<PmtuSweepResult> {
    return this.#request('POST', '/v1/pmtu', request, PmtuSweepResult);
  }

  startIperfServers(bindAddress: string, count: number, maxLifetimeMs: number): Promise<StartIperfServersResponse> {
    return this.#request('POST', '/v1/iperf/servers', { v: CONTRACT_VERSION, bindAddress, count, maxLifetimeMs }, StartIperfServersResponse);
  }

  stopIperfServers(sessionId: string): Promise<StopIperfServersResponse> {
    return this.#request('DELETE', `/v1/iperf/servers/${sessionId}`, undefined, StopIperfServersResponse);
  }

  /** The agent bounds the run itself; this waits that long plus a margin for the answer. */
  runIperf(request: IperfRunRequest): Promise<IperfRunResult> {
    const expectedMs = request.omitMs + request.durationMs;
    return this.#request('POST', '/v1/iperf/run', request, IperfRunResult, expectedMs + 30_000);
  }

  async #request<T extends z.ZodType>(method: string, path: string, body: unknown, schema: T, timeoutMs = this.#timeoutMs): Promise<z.infer<T>> {
    const headers: Record<string, string> = { [CONTRACT_VERSION_HEADER]: String(CONTRACT_VERSION) };
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path, this.url), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new PathprobeError('ERR_AGENT_UNREACHABLE', `agent ${this.label} unreachable: ${describeNetworkFailure(error)}`, { cause: error, details: { agent: this.label } });
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new PathprobeError('ERR_AGENT_PROTOCOL', `${this.label} answered ${method} ${path} with HTTP ${response.status} and no JSON: not a pathprobe agent?`, { cause: error });
    }
    const versionProblem = contractVersionProblem((json as { v?: unknown } | null)?.v, 'this controller');
    if (versionProblem) {
      const spoken = (json as { v?: unknown } | null)?.v;
      throw new PathprobeError('ERR_VERSION',
        spoken === undefined
          ? `${this.label} answered without a contract version: not a pathprobe agent?`
          : `agent ${this.label} speaks contract version ${JSON.stringify(spoken)}; ${versionProblem}`);
    }
    if (!response.ok) {
      const failure = ErrorResponse.safeParse(json);
      if (!failure.success) {
        throw new PathprobeError('ERR_AGENT_PROTOCOL', `${this.label} answered HTTP ${response.status} with an unrecognised error body`);
      }
      throw new PathprobeError(failure.data.error.code, `agent ${this.label}: ${failure.data.error.message}`, { details: failure.data.error.details });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new PathprobeError('ERR_AGENT_PROTOCOL', `${this.label} sent a malformed answer to ${method} ${path}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data;
  }
}
