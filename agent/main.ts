#!/usr/bin/env node
// The agent daemon's entry point: `pathprobe agent ...` hands over to this program.
import { readFile } from 'node:fs/promises';
import { availableParallelism, hostname, release } from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CONTRACT_VERSION, SUPPORTED_CONTRACT_VERSIONS } from '../proto/contractVersion.js';
import { parseListenAddress } from '../proto/listenAddress.js';
import { AGENT_VERSION } from './agentVersion.js';
import { readNicFacts } from './nic/readNicFacts.js';
import { DEFAULT_LLDP_SOCKET, readLldpNeighbours } from './nic/readLldpNeighbours.js';
import { createProbePolicy } from './server/probePolicy.js';
import { createAgentServer } from './server/createAgentServer.js';
import { readAgentTls } from './server/readAgentTls.js';
import { loadAgentPolicy } from './server/agentPolicy.js';
import { createAuditLog } from './server/auditLog.js';
import { createWriteStream } from 'node:fs';
import { markChildren } from './exec.js';
import { removeLeftovers } from './leftoverProcesses.js';
import { readCanRun } from './canRun.js';

async function readToken(tokenFile: string | undefined): Promise<string | null> {
  if (tokenFile) {
    let token: string;
    try {
      token = (await readFile(tokenFile, 'utf8')).trim();
    } catch (error) {
      throw new Error(`cannot read --token-file ${tokenFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (!token) throw new Error(`--token-file ${tokenFile} is empty`);
    return token;
  }
  return process.env.PATHPROBE_TOKEN?.trim() || null;
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('pathprobe agent')
    .usage('$0 --listen ADDRESS:PORT --token-file FILE [--tls-cert F --tls-key F [--client-ca F]] [--policy F] [--audit-log F] [--allow CIDR ...] [--lldp-socket PATH]')
    .option('listen', { type: 'string', demandOption: true, describe: 'control address, e.g. 198.19.0.1:7420 (port 0 = any)' })
    .option('token-file', { type: 'string', describe: 'file holding the shared bearer token (or set PATHPROBE_TOKEN)' })
    .option('tls-cert', { type: 'string', describe: 'serve HTTPS with this PEM certificate (pathprobe certs issue agent NAME --ip ...)' })
    .option('tls-key', { type: 'string', describe: 'the PEM key of --tls-cert' })
    .option('client-ca', { type: 'string', describe: 'mutual TLS: only controllers with a certificate from this CA get in' })
    .option('policy', { type: 'string', describe: 'YAML file of which controller identities may do what (refused at start if missing or invalid)' })
    .option('audit-log', { type: 'string', describe: 'append one JSON line per request to this file (default: stdout)' })
    .option('insecure-no-auth', { type: 'boolean', default: false, describe: 'serve without a token (isolated labs only)' })
    .option('lldp-socket', { type: 'string', default: DEFAULT_LLDP_SOCKET, describe: "lldpd's control socket, for each NIC's LLDP neighbour" })
    .option('allow', { type: 'string', array: true, default: [] as string[], describe: 'CIDR echo probes may go to (repeatable; default: subnets of this host\'s NICs)' })
    .strict()
    .help()
    .fail((message, error) => {
      throw new Error(message || error?.message || 'bad usage');
    })
    .parse();

  const listen = parseListenAddress(argv.listen);
  const token = await readToken(argv['token-file']);
  const tls = await readAgentTls({ cert: argv['tls-cert'], key: argv['tls-key'], clientCa: argv['client-ca'] });
  const accessPolicy = argv.policy === undefined ? null : await loadAgentPolicy(argv.policy);
  const authenticated = token !== null || tls?.clientCaPem != null || (accessPolicy?.tokens.size ?? 0) > 0;
  if (!authenticated && !argv['insecure-no-auth']) {
    throw new Error('refusing to start without authentication: give --token-file FILE or PATHPROBE_TOKEN, or --client-ca for mutual TLS (or --insecure-no-auth on an isolated lab)');
  }
  if (accessPolicy !== null && !authenticated) throw new Error(`--policy ${argv.policy} grants identities, but no caller could prove one: give tokens or --client-ca`);
  const auditStream = argv['audit-log'] === undefined ? process.stdout : createWriteStream(argv['audit-log'], { flags: 'a', mode: 0o600 });
  auditStream.on('error', (error) => { process.stderr.write(`pathprobe agent: cannot write --audit-log ${argv['audit-log']}: ${error.message}\n`); process.exit(2); });
  const nics = await readNicFacts();
  const policy = createProbePolicy(nics, argv.allow);
  const lldpSocket = argv['lldp-socket'];
  const facts = async () => {
    const lldp = await readLldpNeighbours(lldpSocket);
    return {
      v: CONTRACT_VERSION,
      hostname: hostname(),
      agentVersion: AGENT_VERSION,
      contractVersions: [...SUPPORTED_CONTRACT_VERSIONS],
      kernel: release(),
      cpuCount: availableParallelism(),
      nics: await readNicFacts(lldp.byInterface),
      lldp: lldp.state,
      canRun: await readCanRun(),
    };
  };
  const agent = createAgentServer({
    token, policy, facts, tls, accessPolicy, audit: createAuditLog((line) => auditStream.write(line)),
    log: (line) => process.stderr.write(`pathprobe agent: ${line}\n`),
  });
  await new Promise<void>((resolve, reject) => {
    agent.server.once('error', reject);
    agent.server.listen(listen.port, listen.host, () => resolve());
  });
  const address = agent.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const hostText = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  // Only now: holding the address proves no other live agent has this identity in this network
  // namespace, so whatever carries its marker was left by an earlier instance.
  const identity = `${hostText}:${port}`;
  markChildren(identity);
  removeLeftovers(identity, (line) => process.stderr.write(`pathprobe agent: ${line}\n`));
  if (!authenticated) {
    process.stderr.write('pathprobe agent: WARNING: --insecure-no-auth: anyone who can reach this port can make this host send probes\n');
  }
  const loopback = /^127\./.test(listen.host) || listen.host === '::1';
  if (tls === null && !loopback) {
    process.stderr.write(`pathprobe agent: WARNING: serving plain HTTP on ${listen.host}: ${token === null ? 'requests' : 'the bearer token and every request'} cross the network in clear text; give --tls-cert and --tls-key\n`);
  }
  process.stdout.write(`pathprobe agent ${AGENT_VERSION} listening on ${tls === null ? 'http' : 'https'}://${hostText}:${port} (contract v${CONTRACT_VERSION}; echo probes allowed to ${policy.allowCidrs.join(', ') || 'nowhere'})\n`);

  const stop = () => {
    agent.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  const err = error as NodeJS.ErrnoException;
  const message = err.code === 'EADDRINUSE' ? `cannot listen: address already in use`
    : err.code === 'EADDRNOTAVAIL' ? `cannot listen: the address is not on this host`
    : err.message ?? String(error);
  process.stderr.write(`pathprobe agent: ${message}\n`);
  process.exit(2);
});
