import type { PeerCertificate } from 'node:tls';
import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { identitiesOf, type TlsIdentity } from '../pki/tls-identity.js';

/** A server that asks every client for a certificate signed by the mesh CA and refuses the handshake without one. */
export const meshServerCredentials = (identity: TlsIdentity): ServerCredentials =>
  ServerCredentials.createSsl(
    Buffer.from(identity.caPem),
    [{ cert_chain: Buffer.from(identity.certPem), private_key: Buffer.from(identity.keyPem) }],
    true,
  );

/**
 * A client that presents `identity` and accepts only a server whose certificate the mesh CA signed
 * and which speaks for `expected`: the name checked is the service, not the address dialled, so an
 * instance found at any host:port is still checked to be the service meant.
 */
export const meshChannelCredentials = (identity: TlsIdentity, expected: string): ChannelCredentials =>
  credentials.createSsl(Buffer.from(identity.caPem), Buffer.from(identity.keyPem), Buffer.from(identity.certPem), {
    checkServerIdentity: (_host: string, certificate: PeerCertificate) => {
      const names = peerIdentitiesOf(certificate);
      return names.includes(expected) ? undefined : new Error(`expected the certificate of ${expected}, got one of '${names.join(', ')}'`);
    },
  });

/** The mesh services a peer certificate speaks for; empty without one. */
export const peerIdentitiesOf = (certificate: PeerCertificate | undefined): readonly string[] => {
  if (!certificate || Object.keys(certificate).length === 0) return [];
  const cn: unknown = certificate.subject?.CN;
  return identitiesOf(certificate.subjectaltname, typeof cn === 'string' ? cn : undefined);
};
