import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisConfig } from '../../adapters/redis/redis-config.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { spawnRedisServer, type RedisServerProcess } from '../../test-support/redis-server-process.js';
import { anInstance, recordChanges, uniqueService } from './builders.js';
import { openRedisRegistry, openRedisRegistryPair } from './redis-registries.js';
import { describeServiceRegistryContract } from './service-registry.contract.js';
import { waitFor } from '../messaging/wait.js';

// One ordinary redis-server, and one where CONFIG is renamed away as on managed Redis services.
let redis: RedisFixture;
let locked: { config: RedisConfig; stop(): Promise<void> };
beforeAll(async () => {
  redis = await startRedisNode();
  locked = await startRedisWithoutConfig();
});
afterAll(async () => {
  await Promise.all([redis?.stop(), locked?.stop()]);
});

describeServiceRegistryContract('RedisServiceRegistry on one redis-server (keyspace events)', async () =>
  openRedisRegistryPair(redis.config),
);

describeServiceRegistryContract('RedisServiceRegistry where CONFIG is refused (SCAN every second)', async () =>
  openRedisRegistryPair(locked.config),
);

describe('RedisServiceRegistry expiry detection', () => {
  it('turns on expired keyspace events where CONFIG is allowed', async () => {
    const opened = openRedisRegistry(redis.config, 'detection');
    try {
      await (await opened.registry.watch(uniqueService(), () => undefined)).close();
      expect(opened.registry.expiryDetection).toBe('keyspace-events');
    } finally {
      await opened.close();
    }
  });

  it('falls back to SCAN where CONFIG is refused, and still reports an expiry', async () => {
    const pair = openRedisRegistryPair(locked.config);
    try {
      const service = uniqueService();
      const recorder = await recordChanges(pair.reader, service);
      expect(pair.reader.expiryDetection).toBe('scan');
      const record = anInstance(service);
      await pair.writer.register(record, 200);

      await waitFor(() => recorder.changes.some((c) => c.type === 'removed'), 5_000, 'the expiry');
      expect(recorder.summary()).toEqual([`added:${record.instanceId}`, `removed(expired):${record.instanceId}`]);
    } finally {
      await pair.close();
    }
  });
});

const startRedisWithoutConfig = async (): Promise<{ config: RedisConfig; stop(): Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'meshwork-redis-noconfig-'));
  let server: RedisServerProcess | undefined;
  for (let attempt = 0; attempt < 5 && !server; attempt += 1) {
    const [port] = await findFreePorts(1);
    server = await spawnRedisServer(port!, dir, ['--rename-command', 'CONFIG', '']).catch(() => undefined);
  }
  if (!server) throw new Error('could not start a redis-server without CONFIG');
  const started = server;
  return {
    config: { kind: 'node', url: `redis://127.0.0.1:${started.port}` },
    stop: async () => {
      await started.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
};
