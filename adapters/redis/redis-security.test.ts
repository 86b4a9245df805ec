import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePorts } from '../../test-support/free-ports.js';
import { spawnRedisServer, type RedisServerProcess } from '../../test-support/redis-server-process.js';
import { issueCertificateAuthority, issueLeafCertificate } from '../pki/certificate-issuer.js';
import { callRedis } from './redis-call.js';
import type { RedisConfig } from './redis-config.js';
import { RedisConnections } from './redis-connections.js';

/** A logger whose lines the test can read. */
const recordingLogger = () => {
  const lines: { msg: string; err?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string; err?: string }) });
  return { logger, lines };
};

const roundTrip = async (config: RedisConfig, logger = recordingLogger().logger) => {
  const connections = new RedisConnections(config, { commandTimeoutMs: 1_500, logger });
  try {
    await callRedis(connections.command, connections.timeouts, 'SET', () => connections.command.set('security:probe', 'ok'));
    return await callRedis(connections.command, connections.timeouts, 'GET', () => connections.command.get('security:probe'));
  } finally {
    await connections.close();
  }
};

/**
 * A redis-server with an ACL user for the mesh and a default user that may only PING (what the
 * fixture probes readiness with), serving plaintext on one port and TLS on another.
 */
describe('Redis with an ACL user and TLS', () => {
  let dir: string;
  let server: RedisServerProcess;
  let port: number;
  let tlsPort: number;
  let caFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-redis-acl-'));
    const ca = await issueCertificateAuthority(1);
    const leaf = await issueLeafCertificate(ca, {
      identities: ['redis'],
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      validDays: 1,
    });
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca.certPem);
    await writeFile(join(dir, 'redis.pem'), leaf.certPem);
    await writeFile(join(dir, 'redis-key.pem'), leaf.keyPem, { mode: 0o600 });
    [port, tlsPort] = (await findFreePorts(2)) as [number, number];
    await writeFile(join(dir, 'users.acl'), 'user default on nopass -@all +ping\nuser meshwork on >s3cret ~* &* +@all\n');
    server = await spawnRedisServer(port, dir, [
      '--aclfile',
      join(dir, 'users.acl'),
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      join(dir, 'redis.pem'),
      '--tls-key-file',
      join(dir, 'redis-key.pem'),
      '--tls-ca-cert-file',
      caFile,
      '--tls-auth-clients',
      'no',
    ]);
  }, 60_000);
  afterAll(async () => {
    await server?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('works as the ACL user, from REDIS_USERNAME/REDIS_PASSWORD or from the URL', async () => {
    expect(await roundTrip({ kind: 'node', url: `redis://127.0.0.1:${port}`, username: 'meshwork', password: 's3cret' })).toBe('ok');
    expect(await roundTrip({ kind: 'node', url: `redis://meshwork:s3cret@127.0.0.1:${port}` })).toBe('ok');
  });

  it('fails a wrong password as unavailable and logs that Redis refused the credentials', async () => {
    const { logger, lines } = recordingLogger();
    await expect(
      roundTrip({ kind: 'node', url: `redis://127.0.0.1:${port}`, username: 'meshwork', password: 'wrong' }, logger),
    ).rejects.toMatchObject({
      failure: { code: 'redis_unavailable' },
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: expect.stringMatching(/Redis refused our credentials/), err: expect.stringMatching(/^WRONGPASS/) }),
    );
  });

  it('leaves the default user nothing but PING', async () => {
    await expect(roundTrip({ kind: 'node', url: `redis://127.0.0.1:${port}` })).rejects.toThrow(/NOPERM/);
  });

  it('speaks TLS to a rediss:// URL, trusting the CA of REDIS_TLS_CA and no other', async () => {
    const secure = { kind: 'node', url: `rediss://127.0.0.1:${tlsPort}`, username: 'meshwork', password: 's3cret' } as const;
    expect(await roundTrip({ ...secure, tls: { caFile } })).toBe('ok');
    // Without the CA, the server's certificate is not trusted: no connection.
    await expect(roundTrip({ ...secure, tls: {} })).rejects.toMatchObject({ failure: { code: 'redis_unavailable' } });
  });
});
