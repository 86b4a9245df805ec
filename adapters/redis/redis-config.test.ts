import { describe, expect, it } from 'vitest';
import { readRedisConfig, redisConfigToEnv } from './redis-config.js';

describe('readRedisConfig', () => {
  it('means in-memory adapters when neither variable is set', () => {
    expect(readRedisConfig({})).toEqual({ ok: true, value: undefined });
    expect(readRedisConfig({ REDIS_URL: '  ' })).toEqual({ ok: true, value: undefined });
  });

  it('reads one server from REDIS_URL', () => {
    expect(readRedisConfig({ REDIS_URL: 'redis://user:secret@cache:6380/2' })).toEqual({
      ok: true,
      value: { kind: 'node', url: 'redis://user:secret@cache:6380/2' },
    });
  });

  it('reads the seed nodes of a cluster from REDIS_CLUSTER_NODES', () => {
    expect(readRedisConfig({ REDIS_CLUSTER_NODES: 'a:7000, b:7001,[::1]:7002' })).toEqual({
      ok: true,
      value: {
        kind: 'cluster',
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
          { host: '::1', port: 7002 },
        ],
      },
    });
  });

  it('lists every bad cluster node at once', () => {
    const read = readRedisConfig({ REDIS_CLUSTER_NODES: 'a:7000,b,c:99999' });

    expect(read.ok).toBe(false);
    expect(!read.ok && read.error).toEqual([
      "REDIS_CLUSTER_NODES entries must be host:port; got 'b'",
      "REDIS_CLUSTER_NODES entries must be host:port; got 'c:99999'",
    ]);
  });

  it('refuses a URL that is not redis:// and refuses both variables at once', () => {
    expect(readRedisConfig({ REDIS_URL: 'http://cache:6379' }).ok).toBe(false);
    expect(readRedisConfig({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' }).ok).toBe(false);
  });

  it('writes a configuration back as the variables a child process reads', () => {
    const config = { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }, { host: '::1', port: 7001 }] } as const;

    expect(readRedisConfig(redisConfigToEnv(config))).toEqual({ ok: true, value: config });
  });
});
