import { connect } from 'node:tls';
import type { ClientTls } from './clientTls.js';

const LISTEN_FOR_ALERT_MS = 2000;

/**
 * Why an https agent closed the connection, asked again on a bare TLS socket. Under TLS 1.3 the
 * client's handshake is over before the server checks the client certificate, so a refusal
 * (certificate required, unknown CA) reaches fetch only as "other side closed"; a bare socket
 * reads the alert itself, or sees the agent hang up on it. Resolves with the alert's error code
 * (CLIENT_CERTIFICATE_REFUSED / CERTIFICATE_REQUIRED for a bare hang-up), or null when the
 * agent kept the connection (then the close was something else).
 */
export function tlsRefusalCode(url: URL, tls: ClientTls | null): Promise<string | null> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = connect({
      host, port: Number(url.port || 443), servername: /^[\d.:]+$/.test(host) ? undefined : host, minVersion: 'TLSv1.2',
      ...(tls?.caPem ? { ca: tls.caPem } : {}),
      ...(tls?.certificatePem ? { cert: tls.certificatePem, key: tls.keyPem ?? undefined } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const done = (code: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    socket.once('secureConnect', () => {
      // Reading is what surfaces a post-handshake alert: a paused socket would never see it.
      socket.resume();
      timer = setTimeout(() => done(null), LISTEN_FOR_ALERT_MS);
    });
    // Closed right after a handshake without reading a byte: the agent refused our certificate
    // (under TLS 1.3 it can only hang up, no alert precedes the close).
    socket.once('end', () => done(tls?.certificatePem ? 'CLIENT_CERTIFICATE_REFUSED' : 'CERTIFICATE_REQUIRED'));
    socket.once('close', () => done(null));
  });
}
