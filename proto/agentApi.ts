import { z } from 'zod';
import { AgentFactsResponse } from './agentFacts.js';
import { AgentHealthResponse } from './agentHealth.js';
import { CloseResponderResponse, OpenResponderRequest, OpenResponderResponse } from './responder.js';
import { PmtuSweepRequest, PmtuSweepResult } from './pmtuSweep.js';
import {
  IperfRunRequest, IperfRunResult, StartIperfServersRequest, StartIperfServersResponse, StopIperfServersResponse,
} from './throughput.js';

/**
 * One route of the agent's HTTP API.
 * - `format: 'json'`: the request carries the contract-version header (and `v` in its body), the
 *   answer is JSON with `v`, and every failure is an `ErrorResponse`.
 * - `format: 'text'`: for third-party scrapers (Prometheus), which know nothing of the contract:
 *   bearer token but no contract-version header, and a text body of `contentType`.
 * `:name` segments of `path` are ids the agent handed out earlier.
 */
export type AgentRoute =
  | {
    readonly format: 'json';
    readonly method: 'GET' | 'POST' | 'DELETE';
    readonly path: string;
    readonly request: z.ZodType | null;
    readonly response: z.ZodType;
    readonly status: number;
  }
  | {
    readonly format: 'text';
    readonly method: 'GET';
    readonly path: string;
    readonly request: null;
    readonly response: z.ZodType<string>;
    readonly contentType: string;
    readonly status: number;
  };

/** The Prometheus text exposition format, as prom-client's default registry renders it. */
const PrometheusText = z.string();

/** The agent's HTTP API, contract v1: the one list that server, client and tests follow. */
export const AGENT_API = {
  facts: { format: 'json', method: 'GET', path: '/v1/facts', request: null, response: AgentFactsResponse, status: 200 },
  /** Answered by any running agent without doing anything: a liveness check. */
  health: { format: 'json', method: 'GET', path: '/v1/health', request: null, response: AgentHealthResponse, status: 200 },
  openResponder: { format: 'json', method: 'POST', path: '/v1/responders', request: OpenResponderRequest, response: OpenResponderResponse, status: 201 },
  closeResponder: { format: 'json', method: 'DELETE', path: '/v1/responders/:id', request: null, response: CloseResponderResponse, status: 200 },
  sweep: { format: 'json', method: 'POST', path: '/v1/pmtu', request: PmtuSweepRequest, response: PmtuSweepResult, status: 200 },
  /** Takes the agent's throughput slot until stopIperfServers frees it. */
  startIperfServers: { format: 'json', method: 'POST', path: '/v1/iperf/servers', request: StartIperfServersRequest, response: StartIperfServersResponse, status: 201 },
  stopIperfServers: { format: 'json', method: 'DELETE', path: '/v1/iperf/servers/:id', request: null, response: StopIperfServersResponse, status: 200 },
  runIperf: { format: 'json', method: 'POST', path: '/v1/iperf/run', request: IperfRunRequest, response: IperfRunResult, status: 200 },
  /** Tests started, failures, busy refusals. */
  metrics: { format: 'text', method: 'GET', path: '/metrics', request: null, response: PrometheusText, contentType: 'text/plain; version=0.0.4; charset=utf-8', status: 200 },
} as const satisfies Record<string, AgentRoute>;

export type AgentApi = typeof AGENT_API;
export type AgentRouteName = keyof AgentApi;
export type JsonRouteName = { [N in AgentRouteName]: AgentApi[N]['format'] extends 'json' ? N : never }[AgentRouteName];

type ParamNamesOf<P extends string> =
  P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNamesOf<`/${Rest}`>
    : P extends `${string}:${infer Name}` ? Name
      : never;
/** `{ id: string }` for '/v1/responders/:id', `{}` for a path without ids. */
export type RouteParams<N extends AgentRouteName> = { [K in ParamNamesOf<AgentApi[N]['path']>]: string };
/** What a sender may put in the body (defaults not yet applied); undefined for a route without one. */
export type RouteRequestInput<N extends AgentRouteName> = AgentApi[N]['request'] extends z.ZodType ? z.input<AgentApi[N]['request']> : undefined;
/** The body as the receiver sees it after validation, defaults applied. */
export type RouteRequest<N extends AgentRouteName> = AgentApi[N]['request'] extends z.ZodType ? z.output<AgentApi[N]['request']> : undefined;
export type RouteResponse<N extends AgentRouteName> = z.output<AgentApi[N]['response']>;

// The agent hands out UUIDs; anything else in an id segment is no route at all.
const ID_SEGMENT = '[0-9a-f-]{36}';

/** The concrete path of a route, e.g. pathOf('closeResponder', { id }) → '/v1/responders/<id>'. */
export function pathOf<N extends AgentRouteName>(name: N, params: RouteParams<N>): string {
  return AGENT_API[name].path.replace(/:(\w+)/g, (_, param: string) => encodeURIComponent((params as Record<string, string>)[param] ?? ''));
}

export interface RouteMatch { name: AgentRouteName; params: Record<string, string> }

const MATCHERS = (Object.keys(AGENT_API) as AgentRouteName[]).map((name) => {
  const route: AgentRoute = AGENT_API[name];
  const paramNames = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const pattern = new RegExp(`^${route.path.replace(/:\w+/g, `(${ID_SEGMENT})`)}$`);
  return { name, method: route.method, pattern, paramNames };
});

/** The route a request is for, or null when no route has that method and path. */
export function matchAgentRoute(method: string, pathname: string): RouteMatch | null {
  for (const matcher of MATCHERS) {
    if (matcher.method !== method) continue;
    const found = matcher.pattern.exec(pathname);
    if (!found) continue;
    return { name: matcher.name, params: Object.fromEntries(matcher.paramNames.map((param, i) => [param, found[i + 1]!])) };
  }
  return null;
}
