import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { createLogger } from '../observability/logger.js';
import { issueLeafCertificate } from '../pki/certificate-issuer.js';
import { PkiDirectory } from '../pki/pki-directory.js';
import type { TlsIdentity } from '../pki/tls-identity.js';
import { AuthServiceService } from './generated/auth.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { HealthProbe } from './health-checker-probe.js';
import { LatestIdentityChannelCredentials, MeshIdentityProvider, serverSpeakingFor } from './mesh-tls-credentials.js';

const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
/** Every probe on a connection of its own. */
const OWN_CONNECTION = { 'grpc.use_local_subchannel_pool': 1, 'grpc.ssl_target_name_override': 'auth' };

const refusingPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

describe('LatestIdentityChannelCredentials', () => {
  let server: RunningGrpcServer | undefined;
  let dir: string | undefined;
  const probes: HealthProbe[] = [];
  afterEach(async () => {
    for (const probe of probes.splice(0)) probe.close();
    await server?.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const probe = (address: string, credentials: LatestIdentityChannelCredentials): HealthProbe => {
    const made = new HealthProbe(address, 'auth.AuthService', OWN_CONNECTION, credentials);
    probes.push(made);
    return made;
  };

  it('builds one TLS context per identity, not one per connection or connection attempt', { timeout: 60_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-client-credentials-'));
    const pki = new PkiDirectory({ dir: join(dir, 'pki'), ...names });
    const serverIdentity = await pki.identityOf(['auth']);
    const clientIdentity = await pki.identityOf(['api-gateway']);
    server = await startGrpcServer({
      serviceName: 'auth',
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('mesh-tls-credentials-test', 'silent'),
      services: [{ definition: AuthServiceService, implementation: unimplementedService(AuthServiceService) }],
      tls: { identity: serverIdentity, reloadIntervalMs: 0 },
      shutdownGraceMs: 500,
    });
    const built: TlsIdentity[] = [];
    const provider = new MeshIdentityProvider(clientIdentity);
    const credentials = new LatestIdentityChannelCredentials(provider, serverSpeakingFor('auth'), (identity) => {
      built.push(identity);
      return createSecureContext({ ca: identity.caPem, key: identity.keyPem, cert: identity.certPem });
    });
    const address = `127.0.0.1:${server.port}`;

    for (let i = 0; i < 3; i += 1) expect(await probe(address, credentials).check(5_000)).toEqual({ serving: true });
    const refused = probe(`127.0.0.1:${await refusingPort()}`, credentials);
    for (let i = 0; i < 3; i += 1) expect((await refused.check(2_000)).serving).toBe(false);
    expect(built).toEqual([clientIdentity]);

    // A renewed certificate: the next connection presents it, with a context built once for it.
    const authority = { certPem: clientIdentity.caPem, keyPem: await readFile(join(dir, 'pki', 'ca', 'key.pem'), 'utf8') };
    const renewed = {
      ...clientIdentity,
      ...(await issueLeafCertificate(authority, { identities: ['api-gateway'], ...names, validDays: 30 })),
    };
    provider.update(renewed);
    for (let i = 0; i < 2; i += 1) expect(await probe(address, credentials).check(5_000)).toEqual({ serving: true });
    expect(built).toEqual([clientIdentity, renewed]);
  });
});
