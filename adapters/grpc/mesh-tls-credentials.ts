import { createSecureContext, type PeerCertificate, type SecureContext } from 'node:tls';
import { CallCredentials, ChannelCredentials, credentials, experimental, ServerCredentials, type VerifyOptions } from '@grpc/grpc-js';
import { identitiesOf, type TlsIdentity } from '../pki/tls-identity.js';

/**
 * A server that asks every client for a certificate signed by the mesh CA and refuses the handshake
 * without one. Given a provider, it serves the provider's latest identity to each new connection.
 */
export const meshServerCredentials = (identity: TlsIdentity, provider?: MeshIdentityProvider): ServerCredentials =>
  provider
    ? experimental.createCertificateProviderServerCredentials(provider, provider, true)
    : ServerCredentials.createSsl(
        Buffer.from(identity.caPem),
        [{ cert_chain: Buffer.from(identity.certPem), private_key: Buffer.from(identity.keyPem) }],
        true,
      );

/**
 * The identity of a server or a client as grpc-js asks for it, replaceable while it runs: new handshakes
 * get the new certificate and CA, connections already open keep theirs (docs/adr/0035).
 */
export class MeshIdentityProvider implements experimental.CertificateProvider {
  private readonly caListeners = new Set<experimental.CaCertificateUpdateListener>();
  private readonly identityListeners = new Set<experimental.IdentityCertificateUpdateListener>();

  constructor(private identity: TlsIdentity) {}

  get current(): TlsIdentity {
    return this.identity;
  }

  update(identity: TlsIdentity): void {
    this.identity = identity;
    for (const listener of this.caListeners) listener(this.caUpdate());
    for (const listener of this.identityListeners) listener(this.identityUpdate());
  }

  // The first update is sent on the next tick: grpc-js adds its watcher only after the listeners.
  addCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(listener);
    setImmediate(() => this.caListeners.has(listener) && listener(this.caUpdate()));
  }

  removeCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.add(listener);
    setImmediate(() => this.identityListeners.has(listener) && listener(this.identityUpdate()));
  }

  removeIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.delete(listener);
  }

  private caUpdate() {
    return { caCertificate: Buffer.from(this.identity.caPem) };
  }

  private identityUpdate() {
    return { certificate: Buffer.from(this.identity.certPem), privateKey: Buffer.from(this.identity.keyPem) };
  }
}

/**
 * A client that presents `identity` and accepts only a server whose certificate the mesh CA signed
 * and which speaks for `expected`: the name checked is the service, not the address dialled, so an
 * instance found at any host:port is still checked to be the service meant. Given a provider, each
 * new connection presents and trusts the provider's latest identity (docs/adr/0035).
 */
export const meshChannelCredentials = (identity: TlsIdentity | MeshIdentityProvider, expected: string): ChannelCredentials => {
  const verify = serverSpeakingFor(expected);
  if (identity instanceof MeshIdentityProvider) return new LatestIdentityChannelCredentials(identity, verify);
  return credentials.createSsl(Buffer.from(identity.caPem), Buffer.from(identity.keyPem), Buffer.from(identity.certPem), verify);
};

/** Accepts only a server whose certificate speaks for `expected` (the name checked is the service, not the address). */
export const serverSpeakingFor = (expected: string): VerifyOptions => ({
  checkServerIdentity: (_host: string, certificate: PeerCertificate) => {
    const names = peerIdentitiesOf(certificate);
    return names.includes(expected) ? undefined : new Error(`expected the certificate of ${expected}, got one of '${names.join(', ')}'`);
  },
});

type SecureConnector = ReturnType<ChannelCredentials['_createSecureConnector']>;

/**
 * Credentials whose every new connection presents and trusts the provider's latest identity, as
 * grpc-js's certificate-provider credentials do, but with one TLS context per identity rather than
 * one per connection attempt: those parse the key and certificates twice per attempt, which a pool
 * redialling a dead instance pays every backoff step at the moment its callers fail over.
 */
export class LatestIdentityChannelCredentials extends ChannelCredentials {
  private built: { readonly identity: TlsIdentity; readonly credentials: ChannelCredentials } | undefined;

  constructor(
    private readonly provider: MeshIdentityProvider,
    private readonly verify: VerifyOptions,
    private readonly contextOf: (identity: TlsIdentity) => SecureContext = (identity) =>
      createSecureContext({ ca: identity.caPem, key: identity.keyPem, cert: identity.certPem }),
  ) {
    super();
  }

  _isSecure(): boolean {
    return true;
  }

  _equals(other: ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(...args: Parameters<ChannelCredentials['_createSecureConnector']>): SecureConnector {
    const [target, options, callCredentials = CallCredentials.createEmpty()] = args;
    return {
      connect: async (socket) => this.latest()._createSecureConnector(target, options, callCredentials).connect(socket),
      waitForReady: () => Promise.resolve(),
      getCallCredentials: () => callCredentials,
      destroy: () => undefined,
    };
  }

  private latest(): ChannelCredentials {
    const identity = this.provider.current;
    if (this.built?.identity !== identity) {
      this.built = { identity, credentials: credentials.createFromSecureContext(this.contextOf(identity), this.verify) };
    }
    return this.built.credentials;
  }
}

/** The mesh services a peer certificate speaks for; empty without one. */
export const peerIdentitiesOf = (certificate: PeerCertificate | undefined): readonly string[] => {
  if (!certificate || Object.keys(certificate).length === 0) return [];
  const cn: unknown = certificate.subject?.CN;
  return identitiesOf(certificate.subjectaltname, typeof cn === 'string' ? cn : undefined);
};
