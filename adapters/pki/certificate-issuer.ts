import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { identityUri } from './tls-identity.js';

const generateRsaKeyPair = promisify(generateKeyPair);

/** A certificate and its private key, both PEM. */
export interface KeyAndCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** RSA-2048 made by node:crypto (fast, native); forge only builds and signs the X.509 structure (it signs RSA, not ECDSA). */
const newKeyPair = async () => {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { publicKey, privateKey };
};

/** A positive serial of 16 random bytes (the top bit cleared: DER integers are signed). */
const serialNumber = (): string => {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
};

const baseCertificate = (publicKeyPem: string, commonName: string, validDays: number, now: Date) => {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serialNumber();
  // An hour of slack for clocks that disagree a little.
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + validDays * DAY_MS);
  cert.setSubject([
    { name: 'organizationName', value: 'meshwork' },
    { name: 'commonName', value: commonName },
  ]);
  return cert;
};

/** A self-signed certificate authority for the mesh. */
export const issueCertificateAuthority = async (validDays: number, now = new Date()): Promise<KeyAndCertificate> => {
  const { publicKey, privateKey } = await newKeyPair();
  const cert = baseCertificate(publicKey, 'meshwork development CA', validDays, now);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
};

export interface LeafRequest {
  /**
   * The services the certificate speaks for (`auth`, `api-gateway`, ...): each a URI name
   * `spiffe://meshwork/<service>` and a DNS name; the subject CN is the first (one service per
   * certificate, except the client certificate of a process running several; docs/adr/0021).
   */
  readonly identities: readonly string[];
  /** Further DNS names and IP addresses the certificate is valid for. */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly validDays: number;
}

/** A leaf certificate for one mesh service, good for both ends of a connection (server and client auth). */
export const issueLeafCertificate = async (
  authority: KeyAndCertificate,
  request: LeafRequest,
  now = new Date(),
): Promise<KeyAndCertificate> => {
  const { publicKey, privateKey } = await newKeyPair();
  const caCert = forge.pki.certificateFromPem(authority.certPem);
  const cert = baseCertificate(publicKey, request.identities.join('+'), request.validDays, now);
  cert.setIssuer(caCert.subject.attributes);
  const dnsNames = [...new Set([...request.identities, ...request.dnsNames])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...request.identities.map((service) => ({ type: 6, value: identityUri(service) })),
        ...dnsNames.map((value) => ({ type: 2, value })),
        ...[...new Set(request.ipAddresses)].map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(authority.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
};
