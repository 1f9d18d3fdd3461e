import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { AGENT_API, matchAgentRoute } from '../../proto/agentApi.js';
import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import { HTTP_STATUS_OF, type ErrorResponse } from '../../proto/errorCodes.js';
import { CONTRACT_VERSION_HEADER } from '../../proto/httpHeaders.js';
import { OpenResponderRequest } from '../../proto/responder.js';
import { PmtuSweepRequest } from '../../proto/pmtuSweep.js';
import {
  simulatedCloseResponder, simulatedDataAddress, simulatedFacts, simulatedOpenResponder, simulatedSweep,
} from './simulatedAgentAnswers.js';

/*
 * node dist/scripts/bench/simulatedAgents.js --count N
 *
 * N SIMULATED agents in this one process, for the control-plane bench: one HTTP server per agent
 * on 127.0.0.1 (port chosen by the kernel), speaking the agent API with canned answers
 * (simulatedAgentAnswers.ts). No probe is ever sent. Prints one JSON line {"ports":[…]} once
 * every server listens, then serves until SIGTERM or SIGINT.
 */

const SIMULATED_RESPONDER_PORT = 9;

function send(res: ServerResponse, status: number, text: string, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), [CONTRACT_VERSION_HEADER]: String(CONTRACT_VERSION) });
  res.end(text);
}

function sendError(res: ServerResponse, code: 'ERR_NOT_FOUND' | 'ERR_BAD_REQUEST', message: string): void {
  const body: ErrorResponse = { v: CONTRACT_VERSION, error: { code, message } };
  send(res, HTTP_STATUS_OF[code], JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function simulatedAgent(index: number): (req: IncomingMessage, res: ServerResponse) => void {
  const facts = JSON.stringify(simulatedFacts(index));
  const ownAddress = simulatedDataAddress(index);
  return (req, res) => {
    void (async () => {
      const route = matchAgentRoute(req.method ?? 'GET', new URL(req.url ?? '/', 'http://simulated').pathname);
      const body = await bodyOf(req);
      switch (route?.name) {
        case 'facts': return send(res, AGENT_API.facts.status, facts);
        case 'health': return send(res, AGENT_API.health.status, JSON.stringify({ v: CONTRACT_VERSION, uptimeMs: Math.round(process.uptime() * 1000) }));
        case 'openResponder': {
          const request = OpenResponderRequest.parse(body);
          return send(res, AGENT_API.openResponder.status, JSON.stringify(simulatedOpenResponder(request, SIMULATED_RESPONDER_PORT, Date.now())));
        }
        case 'closeResponder': return send(res, AGENT_API.closeResponder.status, JSON.stringify(simulatedCloseResponder(route.params.id!)));
        case 'sweep': return send(res, AGENT_API.sweep.status, JSON.stringify(simulatedSweep(PmtuSweepRequest.parse(body), ownAddress)));
        case 'metrics': return send(res, AGENT_API.metrics.status, '', AGENT_API.metrics.contentType);
        default: return sendError(res, 'ERR_NOT_FOUND', `a simulated agent does not serve ${req.method} ${req.url}`);
      }
    })().catch((error: unknown) => sendError(res, 'ERR_BAD_REQUEST', (error as Error).message.split('\n')[0]!));
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string' } }, strict: true });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) throw new Error('usage: simulatedAgents.js --count N (N ≥ 1)');
  const servers: Server[] = [];
  const stop = () => {
    for (const server of servers) server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const ports: number[] = [];
  for (let i = 0; i < count; i += 1) {
    // As a real agent's (createAgentServer.ts): idle connections are the controller's to close.
    const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, simulatedAgent(i));
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    ports.push(typeof address === 'object' && address ? address.port : 0);
  }
  process.stdout.write(`${JSON.stringify({ ports })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulatedAgents: ${(error as Error).message.split('\n')[0]}\n`);
  process.exit(1);
});
