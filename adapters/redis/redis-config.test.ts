import { describe, expect, it } from 'vitest';
import { parseClusterNodes, redisConfigOf, type RedisSettings } from './redis-config.js';

const none: RedisSettings = {
  url: undefined,
  clusterNodes: undefined,
  username: undefined,
  password: undefined,
  tls: undefined,
  tlsCa: undefined,
};

describe('redisConfigOf', () => {
  it('means in-memory adapters when neither a URL nor cluster nodes are set', () => {
    expect(redisConfigOf(none)).toEqual({ ok: true, value: undefined });
  });

  it('reads one server from the URL, TLS from rediss://', () => {
    expect(redisConfigOf({ ...none, url: 'redis://user:secret@cache:6380/2' })).toEqual({
      ok: true,
      value: { kind: 'node', url: 'redis://user:secret@cache:6380/2' },
    });
    expect(redisConfigOf({ ...none, url: 'rediss://cache:6380', tlsCa: '/ca.pem' })).toEqual({
      ok: true,
      value: { kind: 'node', url: 'rediss://cache:6380', tls: { caFile: '/ca.pem' } },
    });
  });

  it('lists every contradiction at once', () => {
    expect(redisConfigOf({ ...none, url: 'redis://a:1', clusterNodes: [{ host: 'b', port: 2 }] }).ok).toBe(false);
    const read = redisConfigOf({ ...none, url: 'rediss://a:1', tls: 'off', username: 'mesh' });
    expect(!read.ok && read.error).toEqual(['REDIS_TLS=off contradicts a rediss:// REDIS_URL', 'REDIS_USERNAME needs REDIS_PASSWORD']);
  });
});

describe('parseClusterNodes', () => {
  it('reads host:port seed nodes, IPv6 in brackets', () => {
    expect(parseClusterNodes('a:7000, b:7001,[::1]:7002')).toEqual({
      ok: true,
      value: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
  });

  it('lists every bad node at once', () => {
    const read = parseClusterNodes('a:7000,b,c:99999');
    expect(!read.ok && read.error).toEqual([
      "REDIS_CLUSTER_NODES entries must be host:port; got 'b'",
      "REDIS_CLUSTER_NODES entries must be host:port; got 'c:99999'",
    ]);
  });
});
