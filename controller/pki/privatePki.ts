// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs this polyfill loaded
// first. It patches the global Reflect, so only `pathprobe certs` loads this module (lazily).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { CA_DAYS, LEAF_DAYS } from './certificateDays.js';

/*
 * A small private PKI for agents and controllers, made in-process with @peculiar/x509 over
 * Node's WebCrypto: no openssl binary and no shell, so `pathprobe certs` works on any host the
 * CLI runs on. ECDSA P-256 with SHA-256: every TLS stack an operator meets accepts it.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export type CertificateRole = 'agent' | 'controller';

export interface PemPair {
  certificatePem: string;
  /** PKCS#8. */
  keyPem: string;
}

export interface IssueInput {
  ca: PemPair;
  role: CertificateRole;
  /** The subject's common name: for a controller, the identity agents' policies name. */
  name: string;
  ips?: readonly string[];
  dnsNames?: readonly string[];
  days?: number;
  /** For tests of expiry: when validity starts. */
  notBefore?: Date;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function serialNumber(): string {
  // Positive 128-bit serial (RFC 5280 allows up to 20 octets; the leading nibble keeps it positive).
  return `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex')}`;
}

function validity(days: number, notBefore = new Date()): { notBefore: Date; notAfter: Date } {
  // A minute back: clocks across a fleet are never exactly equal.
  const start = new Date(notBefore.getTime() - 60_000);
  return { notBefore: start, notAfter: new Date(start.getTime() + days * DAY_MS) };
}

/** A new CA: self-signed, may sign leaf certificates only (path length 0). */
export async function createCa(input: { name: string; days?: number }): Promise<PemPair> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${input.name}`,
    ...validity(input.days ?? CA_DAYS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/**
 * A leaf signed by `ca`. An agent's certificate serves TLS (serverAuth) and must name every IP
 * and DNS name controllers use in its URL; a controller's authenticates it to agents
 * (clientAuth), its CN and DNS name being the identity agents' policies grant.
 */
export async function issueCertificate(input: IssueInput): Promise<PemPair> {
  const caCertificate = new x509.X509Certificate(input.ca.certificatePem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(input.ca.keyPem), ALGORITHM, false, ['sign']);
  const keys = await newKeys();
  const ips = input.ips ?? [];
  for (const ip of ips) if (isIP(ip) === 0) throw new TypeError(`${ip} is not an IP address`);
  const dnsNames = input.role === 'controller' ? [input.name, ...(input.dnsNames ?? [])] : [...(input.dnsNames ?? [])];
  const altNames: x509.JsonGeneralName[] = [...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...ips.map((value) => ({ type: 'ip' as const, value }))];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${input.name}`,
    issuer: caCertificate.subject,
    ...validity(input.days ?? LEAF_DAYS, input.notBefore),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([input.role === 'agent' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(altNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  return { certificatePem: certificate.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}
