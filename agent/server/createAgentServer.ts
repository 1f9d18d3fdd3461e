import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { z } from 'zod';
import { CONTRACT_VERSION, contractVersionProblem } from '../../proto/contractVersion.js';
import { HTTP_STATUS_OF, PathprobeError, isWireErrorCode, type ErrorResponse } from '../../proto/errorCodes.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import {
  AGENT_API, matchAgentRoute, type AgentRoute, type AgentRouteName, type RouteParams, type RouteRequest, type RouteResponse,
} from '../../proto/agentApi.js';
import { CONTRACT_VERSION_HEADER } from '../../proto/httpHeaders.js';
import { createBearerCheck } from './bearerAuth.js';
import type { ProbePolicy } from './probePolicy.js';
import { ResponderRegistry } from '../responderRegistry.js';
import { runFlowSweeps } from '../probe/runFlowSweeps.js';
import { ThroughputSlot } from '../throughputSlot.js';
import { IperfSessions } from '../iperfSessions.js';
import { runIperfClients } from '../iperf/runIperfClients.js';
import { createAgentMetrics, type AgentMetrics } from '../metrics/agentMetrics.js';

const MAX_BODY_BYTES = 64 * 1024;

export interface AgentServerOptions {
  token: string | null;
  policy: ProbePolicy;
  facts: () => Promise<AgentFactsResponse>;
  maxConcurrentSweeps?: number;
  log?: (line: string) => void;
  /** Counts tests, failures and busy refusals, served at GET /metrics; a fresh set by default. */
  metrics?: AgentMetrics;
}

export interface AgentServer {
  server: Server;
  metrics: AgentMetrics;
  close(): Promise<void>;
}

interface HandlerInput<N extends AgentRouteName> {
  params: RouteParams<N>;
  /** Already checked against the route's request schema, defaults applied. */
  body: RouteRequest<N>;
  req: IncomingMessage;
  res: ServerResponse;
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
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
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
  const authorized = createBearerCheck(options.token);
  const responders = new ResponderRegistry();
  const throughputSlot = new ThroughputSlot();
  const iperfSessions = new IperfSessions(throughputSlot);
  const maxSweeps = options.maxConcurrentSweeps ?? 16;
  const log = options.log ?? (() => {});
  const metrics = options.metrics ?? createAgentMetrics();
  let sweepsRunning = 0;

  /** Runs in flight: aborted when their controller hangs up or the agent shuts down. */
  const runsInFlight = new Set<AbortController>();

  const handlers: AgentHandlers = {
    facts: () => options.facts(),
    async openResponder({ body }) {
      if (!options.policy.ownsAddress(body.bindAddress)) {
        throw new PathprobeError('ERR_POLICY', `${body.bindAddress} is not an address of this host`);
      }
      return responders.open(body.bindAddress, body.ttlMs);
    },
    closeResponder: ({ params }) => responders.close(params.id),
    async sweep({ body }) {
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
        return await runFlowSweeps(body);
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

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<{ route: AgentRoute; body: unknown }> {
    if (!authorized(req.headers.authorization)) {
      throw new PathprobeError('ERR_AUTH', 'missing or wrong bearer token');
    }
    const url = new URL(req.url ?? '/', 'http://agent');
    const method = req.method ?? 'GET';
    const match = matchAgentRoute(method, url.pathname);
    const route: AgentRoute | null = match ? AGENT_API[match.name] : null;
    // Text routes serve scrapers that send the bearer token but no contract-version header.
    if (route?.format !== 'text') {
      const headerVersion = req.headers[CONTRACT_VERSION_HEADER];
      const versionProblem = contractVersionProblem(headerVersion === undefined ? undefined : Number(headerVersion), 'this agent');
      if (versionProblem) throw new PathprobeError('ERR_VERSION', versionProblem);
    }
    if (!match || !route) throw new PathprobeError('ERR_NOT_FOUND', `no such endpoint: ${method} ${url.pathname}`);
    const body = route.request === null ? undefined : parseBody(route.request, await readJsonBody(req));
    // The descriptor ties each name to its own body and params; TypeScript cannot follow that
    // correlation through a name known only at run time.
    const handler = handlers[match.name] as (input: HandlerInput<AgentRouteName>) => Promise<unknown>;
    return { route, body: await handler({ params: match.params, body, req, res } as HandlerInput<AgentRouteName>) };
  }

  const server = createServer((req, res) => {
    answer(req, res).then(
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
        if (code === 'ERR_BUSY') metrics.busyRefused();
        if (error !== reason || code !== error.code || code === 'ERR_PROBE_FAILED') log(`${req.method} ${req.url}: ${error.code}: ${error.message}`);
        const body: ErrorResponse = { v: CONTRACT_VERSION, error: { code, message: error.message } };
        // Drain whatever the client still sends so the connection can be answered cleanly.
        req.resume();
        send(res, HTTP_STATUS_OF[code], body);
      },
    );
  });
  server.requestTimeout = 120_000;

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
