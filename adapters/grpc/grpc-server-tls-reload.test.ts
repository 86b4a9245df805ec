import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { issueLeafCertificate } from '../pki/certificate-issuer.js';
import { serialOf } from '../pki/identity-files-watcher.js';
import { PkiDirectory } from '../pki/pki-directory.js';
import type { TlsIdentity } from '../pki/tls-identity.js';
import { AuthServiceService } from './generated/auth.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { HealthProbe } from './health-checker-probe.js';
import { meshChannelCredentials } from './mesh-tls-credentials.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';

const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

/** A TLS handshake as a mesh client, kept open; resolves with the socket and the serial the server presented. */
const handshake = (port: number, client: TlsIdentity): Promise<{ socket: TLSSocket; serial: string }> =>
  new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: client.caPem,
      cert: client.certPem,
      key: client.keyPem,
      ALPNProtocols: ['h2'],
      checkServerIdentity: () => undefined,
    });
    socket.once('secureConnect', () => resolve({ socket, serial: socket.getPeerCertificate().serialNumber }));
    socket.once('error', reject);
  });

/** New handshakes get a certificate replaced on disk; open connections keep working (docs/adr/0035). */
describe('gRPC server certificate reload', () => {
  let server: RunningGrpcServer | undefined;
  let dir: string | undefined;
  const sockets: TLSSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server?.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'serves a replaced certificate to new connections without a restart, and old connections keep working',
    { timeout: 60_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'meshwork-reload-'));
      const pki = new PkiDirectory({ dir: join(dir, 'pki'), ...names });
      const identity = await pki.identityOf(['auth']);
      const gatewayIdentity = await pki.identityOf(['api-gateway']);
      server = await startGrpcServer({
        serviceName: 'auth',
        host: '127.0.0.1',
        port: 0,
        logger: createLogger('tls-reload-test', 'silent'),
        services: [{ definition: AuthServiceService, implementation: unimplementedService(AuthServiceService) }],
        tls: { identity, reloadIntervalMs: 100 },
        shutdownGraceMs: 500,
      });
      const probe = new HealthProbe(`127.0.0.1:${server.port}`, 'auth.AuthService', {}, meshChannelCredentials(gatewayIdentity, 'auth'));
      expect(await probe.check(5_000)).toEqual({ serving: true });
      const old = await handshake(server.port, gatewayIdentity);
      sockets.push(old.socket);
      expect(old.serial).toBe(serialOf(identity.certPem));

      // A new certificate from the same CA, written as an operator would: the key, then the certificate, each by rename.
      const ca = {
        certPem: await readFile(join(dir, 'pki', 'ca', 'cert.pem'), 'utf8'),
        keyPem: await readFile(join(dir, 'pki', 'ca', 'key.pem'), 'utf8'),
      };
      const renewed = await issueLeafCertificate(ca, { identities: ['auth'], ...names, validDays: 30 });
      const files = identity.files!;
      await writeFile(`${files.keyFile}.new`, renewed.keyPem, { mode: 0o600 });
      await rename(`${files.keyFile}.new`, files.keyFile);
      await writeFile(`${files.certFile}.new`, renewed.certPem);
      await rename(`${files.certFile}.new`, files.certFile);

      let fresh = await handshake(server.port, gatewayIdentity);
      const deadline = Date.now() + 10_000;
      while (fresh.serial !== serialOf(renewed.certPem) && Date.now() < deadline) {
        fresh.socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 100));
        fresh = await handshake(server.port, gatewayIdentity);
      }
      sockets.push(fresh.socket);
      expect(fresh.serial).toBe(serialOf(renewed.certPem));
      expect(fresh.serial).not.toBe(old.serial);
      // The connection made before is still open, and the channel opened before still gets answers.
      expect(old.socket.destroyed).toBe(false);
      expect(await probe.check(5_000)).toEqual({ serving: true });
      probe.close();
    },
  );
});
