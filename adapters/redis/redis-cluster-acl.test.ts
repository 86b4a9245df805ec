import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { spawnRedisServer, type RedisServerProcess } from '../../test-support/redis-server-process.js';
import { callRedis } from './redis-call.js';
import { redisConfigOf, type RedisConfig, type RedisSettings } from './redis-config.js';
import { RedisConnections } from './redis-connections.js';
import { meshRedisAclRules } from './redis-mesh-acl.js';
import { testLogger } from '../../test-support/test-logger.js';

const run = promisify(execFile);
const admin = ['--user', 'admin', '--pass', 'admin-pw', '--no-auth-warning'];

/** A three-master cluster whose only usable users are an admin (to build it) and the mesh's least-privilege user. */
describe('a Redis Cluster with the mesh ACL user', () => {
  let dir: string;
  let servers: RedisServerProcess[] = [];
  let ports: number[];
  const cluster = (settings: Partial<RedisSettings>): RedisConfig => {
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    const read = redisConfigOf({
      url: undefined,
      clusterNodes: nodes,
      username: undefined,
      password: undefined,
      tls: undefined,
      tlsCa: undefined,
      ...settings,
    });
    if (!read.ok || !read.value) throw new Error(`bad test configuration: ${String(!read.ok && read.error)}`);
    return read.value;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-redis-cluster-acl-'));
    const acl = join(dir, 'users.acl');
    await writeFile(
      acl,
      [
        'user default on nopass -@all +ping',
        'user admin on >admin-pw ~* &* +@all',
        `user meshwork ${meshRedisAclRules('mesh-pw').join(' ')}`,
      ].join('\n') + '\n',
    );
    ports = await findFreePorts(3, { withClusterBus: true });
    servers = await Promise.all(
      ports.map(async (port) => {
        const nodeDir = join(dir, String(port));
        await run('mkdir', ['-p', nodeDir]);
        return spawnRedisServer(port, nodeDir, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--appendonly',
          'no',
          '--aclfile',
          acl,
        ]);
      }),
    );
    await run(
      'redis-cli',
      [...admin, '--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    await waitFor(
      async () =>
        (
          await Promise.all(
            ports.map((port) => run('redis-cli', [...admin, '-p', String(port), 'cluster', 'info']).then(({ stdout }) => stdout)),
          )
        ).every((info) => info.includes('cluster_state:ok') && info.includes('cluster_known_nodes:3')),
      30_000,
      'cluster_state:ok',
    );
  }, 90_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGTERM')));
    await rm(dir, { recursive: true, force: true });
  });

  const roundTrip = async (config: RedisConfig) => {
    const connections = new RedisConnections(config, { commandTimeoutMs: 2_000, logger: testLogger('cluster-acl-test') });
    try {
      // Keys in different slots: the user's credentials reach every master.
      const keys = ['services:auth:a', 'async:email:queue:x', 'simulation:stream:s1'];
      for (const key of keys) await callRedis(connections.command, connections.timeouts, 'SET', () => connections.command.set(key, key));
      return await Promise.all(
        keys.map((key) => callRedis(connections.command, connections.timeouts, 'GET', () => connections.command.get(key))),
      );
    } finally {
      await connections.close();
    }
  };

  it('reaches every master as the ACL user from REDIS_USERNAME/REDIS_PASSWORD', async () => {
    expect(await roundTrip(cluster({ username: 'meshwork', password: 'mesh-pw' }))).toEqual([
      'services:auth:a',
      'async:email:queue:x',
      'simulation:stream:s1',
    ]);
  });

  it('fails with a wrong password instead of reaching any master', async () => {
    await expect(roundTrip(cluster({ username: 'meshwork', password: 'nope' }))).rejects.toMatchObject({
      failure: { code: 'redis_unavailable' },
    });
  });
});
