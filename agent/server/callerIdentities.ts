import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * The identities a client certificate proves: `cert:CN` and `cert:NAME` for each DNS name. Only
 * certificates the TLS layer verified against the client CA count (`authorized`); with no client
 * CA there is none.
 */
export function certificateIdentities(req: IncomingMessage): string[] {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return [];
  const certificate = socket.getPeerCertificate();
  const names = new Set<string>();
  const cn = certificate.subject?.CN;
  for (const name of Array.isArray(cn) ? cn : cn ? [cn] : []) names.add(name);
  for (const part of (certificate.subjectaltname ?? '').split(',')) {
    const match = /^\s*DNS:(.+)$/.exec(part);
    if (match) names.add(match[1]!.trim());
  }
  return [...names].map((name) => `cert:${name}`);
}
