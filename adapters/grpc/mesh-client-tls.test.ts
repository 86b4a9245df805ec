import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { createLogger } from '../observability/logger.js';
import { issueCertificateAuthority, issueLeafCertificate, type KeyAndCertificate } from '../pki/certificate-issuer.js';
import { PkiDirectory } from '../pki/pki-directory.js';
import type { IdentityFiles } from '../pki/tls-identity.js';
import { AuthServiceService } from './generated/auth.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { HealthProbe } from './health-checker-probe.js';
import { MeshClientTls } from './mesh-client-tls.js';
import { meshChannelCredentials } from './mesh-tls-credentials.js';

const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
const logger = createLogger('mesh-client-tls-test', 'silent');
/** A probe on a connection of its own (not one another probe to the same address opened before). */
const OWN_CONNECTION = { 'grpc.use_local_subchannel_pool': 1, 'grpc.ssl_target_name_override': 'auth' };

/** Replaces a file as an operator would: written beside it, then renamed over it. */
const replace = async (path: string, content: string): Promise<void> => {
  await writeFile(`${path}.new`, content, { mode: 0o600 });
  await rename(`${path}.new`, path);
};

const writePair = async (files: IdentityFiles, pair: KeyAndCertificate): Promise<void> => {
  await replace(files.keyFile, pair.keyPem);
  await replace(files.certFile, pair.certPem);
};

/** The client side of the mesh's mTLS follows its files as the server side does (docs/adr/0035). */
describe('MeshClientTls', () => {
  let server: RunningGrpcServer | undefined;
  let clientTls: MeshClientTls | undefined;
  let dir: string | undefined;
  const probes: HealthProbe[] = [];
  afterEach(async () => {
    for (const probe of probes.splice(0)) probe.close();
    clientTls?.close();
    await server?.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const probe = (credentials: ReturnType<MeshClientTls['credentialsFor']>): HealthProbe => {
    const made = new HealthProbe(`127.0.0.1:${server!.port}`, 'auth.AuthService', OWN_CONNECTION, credentials);
    probes.push(made);
    return made;
  };

  it('makes new connections with a CA and client certificate replaced on disk, without a restart', { timeout: 60_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-client-reload-'));
    const pki = new PkiDirectory({ dir: join(dir, 'pki'), ...names });
    const serverIdentity = await pki.identityOf(['auth']);
    const clientIdentity = await pki.identityOf(['api-gateway']);
    server = await startGrpcServer({
      serviceName: 'auth',
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [{ definition: AuthServiceService, implementation: unimplementedService(AuthServiceService) }],
      tls: { identity: serverIdentity, reloadIntervalMs: 100 },
      shutdownGraceMs: 500,
    });
    clientTls = new MeshClientTls(clientIdentity, { reloadIntervalMs: 100, logger });
    const before = probe(clientTls.credentialsFor('auth'));
    expect(await before.check(5_000)).toEqual({ serving: true });

    // A new CA, rolled out as SECURITY.md says: both CAs trusted, new certificates, then the old CA dropped.
    const oldCa = serverIdentity.caPem;
    const newCa = await issueCertificateAuthority(30);
    const caFile = serverIdentity.files!.caFile;
    await replace(caFile, `${oldCa}${newCa.certPem}`);
    await writePair(serverIdentity.files!, await issueLeafCertificate(newCa, { identities: ['auth'], ...names, validDays: 30 }));
    await writePair(clientIdentity.files!, await issueLeafCertificate(newCa, { identities: ['api-gateway'], ...names, validDays: 30 }));
    await replace(caFile, newCa.certPem);

    // A client still on what it read at start can no longer connect: the server trusts only the new CA, and presents a certificate it signed.
    const startOnly = meshChannelCredentials(clientIdentity, 'auth');
    await waitFor(async () => !(await probe(startOnly).check(2_000)).serving, 10_000, 'the server to drop the old CA');
    // The reloading client connects anew with the new certificate and CA.
    await waitFor(async () => (await probe(clientTls!.credentialsFor('auth')).check(2_000)).serving, 10_000, 'a new connection');
    // The connection made before the rotation keeps working.
    expect(await before.check(5_000)).toEqual({ serving: true });
  });

  it('keeps the identity read at start when reloading is off', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-client-reload-'));
    const identity = await new PkiDirectory({ dir: join(dir, 'pki'), ...names }).identityOf(['api-gateway']);
    clientTls = new MeshClientTls(identity, { reloadIntervalMs: 0, logger });

    expect(clientTls.credentialsFor('auth')).toBe(clientTls.credentialsFor('auth'));
    expect(clientTls.credentialsFor('auth')).not.toBe(clientTls.credentialsFor('project'));
  });
});
