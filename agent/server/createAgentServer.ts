import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { z } from 'zod';
import { CONTRACT_VERSION, contractVersionProblem } from '../../proto/contractVersion.js';
import { HTTP_STATUS_OF, PathprobeError, type ErrorResponse } from '../../proto/errorCodes.js';
import { OpenResponderRequest } from '../../proto/responder.js';
import { PmtuSweepRequest } from '../../proto/pmtuSweep.js';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { CONTRACT_VERSION_HEADER } from '../../proto/httpHeaders.js';
import { createBearerCheck } from './bearerAuth.js';
import type { ProbePolicy } from './probePolicy.js';
import { ResponderRegistry } from '../responderRegistry.js';
import { runPmtuSweep } from '../probe/runPmtuSweep.js';
import { IperfRunRequest, StartIperfServersRequest } from '../../proto/throughput.js';
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
 * The agent's HTTP API. Order of checks: auth (nothing runs without it), contract version,
 * route, body schema, policy. Every failure is a `{ v, error: { code, message } }` body.
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

  async function route(req: IncomingMessage, res: ServerResponse): Promise<{ status: number; body: unknown } | { status: number; text: { contentType: string; text: string } }> {
    if (!authorized(req.headers.authorization)) {
      throw new PathprobeError('ERR_AUTH', 'missing or wrong bearer token');
    }
    // Prometheus scrapes with the bearer token but without the contract-version header.
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://agent').pathname === '/metrics') {
      return { status: 200, text: await metrics.render() };
    }
    const headerVersion = req.headers[CONTRACT_VERSION_HEADER];
    const versionProblem = contractVersionProblem(headerVersion === undefined ? undefined : Number(headerVersion), 'this agent');
    if (versionProblem) throw new PathprobeError('ERR_VERSION', versionProblem);

    const url = new URL(req.url ?? '/', 'http://agent');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/v1/facts') {
      return { status: 200, body: await options.facts() };
    }
    if (method === 'POST' && url.pathname === '/v1/responders') {
      const request = parseBody(OpenResponderRequest, await readJsonBody(req));
      if (!options.policy.ownsAddress(request.bindAddress)) {
        throw new PathprobeError('ERR_POLICY', `${request.bindAddress} is not an address of this host`);
      }
      return { status: 201, body: await responders.open(request.bindAddress, request.ttlMs) };
    }
    const responderMatch = /^\/v1\/responders\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (method === 'DELETE' && responderMatch) {
      return { status: 200, body: await responders.close(responderMatch[1]!) };
    }
    if (method === 'POST' && url.pathname === '/v1/pmtu') {
      const request = parseBody(PmtuSweepRequest, await readJsonBody(req));
      if (request.mode === 'echo' && !options.policy.allowsEchoTarget(request.target.address)) {
        throw new PathprobeError('ERR_POLICY',
          `${request.target.address} is outside this agent's --allow list (${options.policy.allowCidrs.join(', ') || 'empty'})`);
      }
      if (request.sourceAddress && !options.policy.ownsAddress(request.sourceAddress)) {
        throw new PathprobeError('ERR_POLICY', `source ${request.sourceAddress} is not an address of this host`);
      }
      if (sweepsRunning >= maxSweeps) {
        throw new PathprobeError('ERR_BUSY', `this agent is already running ${sweepsRunning} path-MTU sweeps`);
      }
      sweepsRunning += 1;
      metrics.testStarted('pmtu');
      try {
        return { status: 200, body: await runPmtuSweep(request) };
      } catch (error) {
        metrics.testFailed('pmtu');
        throw error;
      } finally {
        sweepsRunning -= 1;
      }
    }
    if (method === 'POST' && url.pathname === '/v1/iperf/servers') {
      const request = parseBody(StartIperfServersRequest, await readJsonBody(req));
      if (!options.policy.ownsAddress(request.bindAddress)) {
        throw new PathprobeError('ERR_POLICY', `${request.bindAddress} is not an address of this host`);
      }
      return { status: 201, body: await iperfSessions.start(request) };
    }
    const sessionMatch = /^\/v1\/iperf\/servers\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (method === 'DELETE' && sessionMatch) {
      return { status: 200, body: await iperfSessions.stop(sessionMatch[1]!) };
    }
    if (method === 'POST' && url.pathname === '/v1/iperf/run') {
      const request = parseBody(IperfRunRequest, await readJsonBody(req));
      if (request.sourceAddress && !options.policy.ownsAddress(request.sourceAddress)) {
        throw new PathprobeError('ERR_POLICY', `source ${request.sourceAddress} is not an address of this host`);
      }
      // iperf3 only reaches a server some agent started for this test, so no --allow check here:
      // a client toward anything else is refused by the network, not fed by this agent.
      const release = throughputSlot.acquire(`iperf3 client toward ${request.target.address}`);
      // Nobody would read the result of a run whose controller is gone: stop its iperf3 clients
      // rather than keep the slot (and the link) busy until their deadline.
      const abort = new AbortController();
      const hangUp = () => { if (!res.writableFinished) abort.abort(); };
      res.once('close', hangUp);
      runsInFlight.add(abort);
      metrics.testStarted('throughput');
      let measured = false;
      try {
        const result = await runIperfClients(request, { signal: abort.signal });
        measured = result.processes.length > 0 && result.processes.every((p) => p.failure === null);
        return { status: 200, body: result };
      } finally {
        if (!measured) metrics.testFailed('throughput');
        runsInFlight.delete(abort);
        res.off('close', hangUp);
        release();
      }
    }
    throw new PathprobeError('ERR_NOT_FOUND', `no such endpoint: ${method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    route(req, res).then(
      (answer) => {
        if ('text' in answer) {
          res.writeHead(answer.status, { 'content-type': answer.text.contentType, 'content-length': Buffer.byteLength(answer.text.text) });
          res.end(answer.text.text);
        } else {
          send(res, answer.status, answer.body);
        }
      },
      (error: unknown) => {
        const known = error instanceof PathprobeError;
        const code = known ? error.code : 'ERR_INTERNAL';
        if (code === 'ERR_BUSY') metrics.busyRefused();
        const message = error instanceof Error ? error.message : String(error);
        if (!known || code === 'ERR_PROBE_FAILED') log(`${req.method} ${req.url}: ${code}: ${message}`);
        const body: ErrorResponse = { v: CONTRACT_VERSION, error: { code, message } };
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
