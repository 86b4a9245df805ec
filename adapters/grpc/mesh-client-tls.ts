import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Logger } from '../observability/logger.js';
import { serialOf, watchIdentityFiles, type IdentityWatch } from '../pki/identity-files-watcher.js';
import type { TlsIdentity } from '../pki/tls-identity.js';
import { meshChannelCredentials, MeshIdentityProvider } from './mesh-tls-credentials.js';

export interface MeshClientTlsOptions {
  /** How often the identity's files are looked at (`MESH_TLS_RELOAD_SECONDS`); 0: never, the identity read at start stays. */
  readonly reloadIntervalMs: number;
  readonly logger: Logger;
}

/**
 * The certificate a process presents on its calls and the CA it checks servers against, followed on
 * disk as a server follows its own (docs/adr/0035): each new connection is made with what the files
 * hold now; connections already open keep the certificate they started with. A half-replaced or
 * unfit set of files is logged and the previous identity stays.
 */
export class MeshClientTls {
  private readonly provider: MeshIdentityProvider | undefined;
  private readonly watch: IdentityWatch | undefined;
  private readonly credentials = new Map<string, ChannelCredentials>();

  constructor(
    private readonly identity: TlsIdentity,
    options: MeshClientTlsOptions,
  ) {
    if (!identity.files || options.reloadIntervalMs === 0) return;
    const provider = new MeshIdentityProvider(identity);
    this.provider = provider;
    const logger = options.logger.child({ component: 'mesh-client-tls' });
    this.watch = watchIdentityFiles(identity, {
      intervalMs: options.reloadIntervalMs,
      onChange: (next) => {
        provider.update(next);
        logger.info({ serial: serialOf(next.certPem), services: next.services }, 'TLS client certificate and CA reloaded');
      },
      onRefused: (error) =>
        logger.warn({ err: error }, 'TLS client certificate files changed but were not loaded; calling with the previous certificate'),
    });
  }

  /** The credentials of calls to `service`: one object per service, so its connections can be shared. */
  credentialsFor(service: string): ChannelCredentials {
    let credentials = this.credentials.get(service);
    if (!credentials) {
      credentials = meshChannelCredentials(this.provider ?? this.identity, service);
      this.credentials.set(service, credentials);
    }
    return credentials;
  }

  /** Stops looking at the files. */
  close(): void {
    this.watch?.stop();
  }
}
