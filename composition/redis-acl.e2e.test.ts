import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshRedisAclRules } from '../adapters/redis/redis-mesh-acl.js';
import { connectSocket } from '../contract-tests/gateway/ws-client.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { spawnRedisServer, type RedisServerProcess } from '../test-support/redis-server-process.js';
import type { RunningMesh } from './launcher.js';
import { startTestMesh } from '../test-support/test-mesh.js';

/**
 * The whole mesh on a Redis where it is a least-privilege ACL user (the rules SECURITY.md shows):
 * the flows work, and Redis logs no command, key or channel it refused.
 */
describe('the mesh as the least-privilege Redis user', () => {
  let dir: string;
  let server: RedisServerProcess;
  let admin: Redis;
  let mesh: RunningMesh;
  let gateway: string;
  const http2 = h2cAgent();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-redis-acl-mesh-'));
    const [port] = (await findFreePorts(1)) as [number];
    await writeFile(
      join(dir, 'users.acl'),
      [
        'user default on nopass -@all +ping',
        'user admin on >admin-pw ~* &* +@all',
        `user meshwork ${meshRedisAclRules('mesh-pw').join(' ')}`,
      ].join('\n') + '\n',
    );
    server = await spawnRedisServer(port, dir, ['--aclfile', join(dir, 'users.acl'), '--notify-keyspace-events', 'Ex']);
    admin = new Redis({ port, host: '127.0.0.1', username: 'admin', password: 'admin-pw' });
    mesh = await startTestMesh({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_USERNAME: 'meshwork', REDIS_PASSWORD: 'mesh-pw' });
    gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
  }, 120_000);
  afterAll(async () => {
    await http2.close();
    await mesh?.stop();
    admin?.disconnect();
    await server?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('registers, runs the flows and streams live data without one ACL denial', { timeout: 60_000 }, async () => {
    expect(mesh.messaging.kind).toBe('redis');
    const account = { email: 'acl@example.com', password: 'correct horse battery' };
    expect((await jsonRequest(http2, 'POST', `${gateway}/auth/register`, { body: { ...account, name: 'Acl' } })).status).toBe(201);
    // A failed login first: its count goes to the shared throttle in Redis.
    const wrong = await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: { ...account, password: 'wrong horse battery' } });
    expect(wrong.status).toBe(401);
    const token: string = (await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: account })).body.access_token;
    const project = await jsonRequest(http2, 'POST', `${gateway}/projects`, {
      token,
      body: { name: 'Least', template_id: 'microservices' },
    });
    expect(project.status).toBe(201);
    const simulation = await jsonRequest(http2, 'POST', `${gateway}/simulations`, {
      token,
      body: { project_id: project.body.project_id, duration_seconds: 5 },
    });
    expect(simulation.status).toBe(201);
    const metricsUrl = `${gateway}/simulations/${simulation.body.simulation_id}/metrics`;
    await waitFor(
      async () => JSON.stringify((await jsonRequest(http2, 'GET', metricsUrl, { token })).body).includes('cpu_total'),
      20_000,
      'live samples',
    );

    // A socket in the client directory, closed by the logout through it (docs/adr/0052).
    const socket = connectSocket(`${gateway.replace('http', 'ws')}/events`, ['bearer', token]);
    await socket.waitForType('connected');
    await waitFor(async () => (await admin.keys('gateway:clients:*')).length > 0, 10_000, 'the socket in the client directory');
    expect((await jsonRequest(http2, 'POST', `${gateway}/auth/logout`, { token })).status).toBe(204);
    expect((await socket.closed).code).toBe(4401);

    expect(await admin.keys('services:*')).not.toEqual([]);
    expect(await admin.keys('auth:login-failures:*')).not.toEqual([]);
    expect(await admin.call('ACL', 'LOG')).toEqual([]);
  });
});
