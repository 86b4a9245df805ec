import { X509Certificate } from 'node:crypto';

/** What a mesh participant presents and trusts on every gRPC connection (PEM). */
export interface TlsIdentity {
  /** The services the certificate speaks for: one for a server; the local services for a process's client. */
  readonly services: readonly string[];
  /** The mesh CA: peers must present a certificate it signed. */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Where the PEMs were read from, when from files: watched, so a replaced certificate is served without a restart. */
  readonly files?: IdentityFiles;
}

export interface IdentityFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const URI_PREFIX = 'spiffe://meshwork/';

/** The URI name that makes a certificate speak for `service`. */
export const identityUri = (service: string): string => `${URI_PREFIX}${service}`;

/**
 * The services a certificate speaks for, from its subject alternative names (`URI:spiffe://meshwork/<service>`,
 * as Node prints them) or, for a certificate without such names, its subject CN.
 */
export const identitiesOf = (subjectAltName: string | undefined, commonName: string | undefined): readonly string[] => {
  const uris = (subjectAltName ?? '')
    .split(', ')
    .filter((name) => name.startsWith(`URI:${URI_PREFIX}`))
    .map((name) => name.slice(`URI:${URI_PREFIX}`.length));
  if (uris.length > 0) return uris;
  return commonName ? [commonName] : [];
};

export const certificateIdentities = (certificate: X509Certificate): readonly string[] =>
  identitiesOf(certificate.subjectAltName, /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1]?.trim());

export class PkiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PkiError';
  }
}

/** Every certificate of a PEM bundle (a CA file may hold the old and the new CA during a rotation). */
export const certificatesOf = (pem: string): X509Certificate[] =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));

/**
 * Checks that a certificate can speak for `services` under `caPem` (one CA or a bundle): signed
 * by one of them, valid now, naming each service; throws a PkiError saying what is wrong.
 */
export const checkIdentityCertificate = (
  services: readonly string[],
  certPem: string,
  caPem: string,
  now = new Date(),
): X509Certificate => {
  const certificate = new X509Certificate(certPem);
  const authorities = certificatesOf(caPem);
  const label = services.join(', ');
  if (!authorities.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey))) {
    const names = authorities.map((ca) => ca.subject.replace(/\n/g, ', ')).join('; ');
    throw new PkiError(`the certificate of ${label} is not signed by the mesh CA (${names || 'no certificate in the CA file'})`);
  }
  if (new Date(certificate.validTo).getTime() <= now.getTime())
    throw new PkiError(`the certificate of ${label} expired on ${certificate.validTo}`);
  const named = certificateIdentities(certificate);
  const missing = services.filter((service) => !named.includes(service));
  if (missing.length > 0) {
    throw new PkiError(
      `the certificate given for ${label} speaks for '${named.join(', ') || '(nobody)'}': it must name ${missing.join(', ')} (URI ${identityUri(missing[0]!)} or subject CN)`,
    );
  }
  return certificate;
};
