import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { AgentTls } from './createAgentServer.js';

async function readPem(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

/**
 * The agent's certificate, key and optional client CA, checked before the agent listens: a key
 * that does not match, or a certificate outside its validity, would otherwise surface only as
 * every controller's handshake failing.
 */
export async function readAgentTls(paths: { cert?: string; key?: string; clientCa?: string }, now = new Date()): Promise<AgentTls | null> {
  if (paths.cert === undefined && paths.key === undefined) {
    if (paths.clientCa !== undefined) throw new Error('--client-ca needs --tls-cert and --tls-key: mutual TLS is TLS first');
    return null;
  }
  if (paths.cert === undefined || paths.key === undefined) throw new Error('give both --tls-cert and --tls-key');
  const certificatePem = await readPem(paths.cert, '--tls-cert');
  const keyPem = await readPem(paths.key, '--tls-key');
  const clientCaPem = paths.clientCa === undefined ? null : await readPem(paths.clientCa, '--client-ca');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (error) {
    throw new Error(`--tls-cert ${paths.cert} is not a PEM certificate`, { cause: error });
  }
  if (now.getTime() > Date.parse(certificate.validTo)) throw new Error(`--tls-cert ${paths.cert} expired on ${new Date(certificate.validTo).toISOString()}`);
  if (now.getTime() < Date.parse(certificate.validFrom)) throw new Error(`--tls-cert ${paths.cert} is not valid before ${new Date(certificate.validFrom).toISOString()}`);
  try {
    createSecureContext({ cert: certificatePem, key: keyPem, ...(clientCaPem === null ? {} : { ca: clientCaPem }) });
  } catch (error) {
    const message = (error as Error).message;
    if (/key values mismatch|KEY_VALUES_MISMATCH/i.test(message)) throw new Error(`--tls-key ${paths.key} is not the key of --tls-cert ${paths.cert}`, { cause: error });
    throw new Error(`cannot use --tls-cert ${paths.cert} / --tls-key ${paths.key}${clientCaPem === null ? '' : ` / --client-ca ${paths.clientCa}`}: ${message}`, { cause: error });
  }
  return { certificatePem, keyPem, clientCaPem };
}
