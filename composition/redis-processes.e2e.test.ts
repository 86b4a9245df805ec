import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventChannels, Queues } from '../core/messaging/channels.js';
import type { DomainEvent } from '../core/messaging/events.js';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { openRedisEventBus, openRedisStreamStore } from '../test-support/redis-messaging.js';

/** Services as separate processes on one real Redis: events and jobs cross process boundaries. */
describe('services in separate processes on Redis', () => {
  let redis: RedisFixture;
  let auth: MeshProcess;
  let authHttp: string;
  const http2 = h2cAgent();

  beforeAll(async () => {
    redis = await startRedisNode();
    const [grpcPort, httpPort] = await findFreePorts(2);
    authHttp = `http://127.0.0.1:${httpPort}`;
    auth = await startMeshProcess(['auth'], {
      ...redisConfigToEnv(redis.config),
      AUTH_GRPC_PORT: String(grpcPort),
      AUTH_HTTP_PORT: String(httpPort),
    });
  }, 90_000);

  afterAll(async () => {
    await http2.close();
    await auth?.kill();
    await redis?.stop();
  });

  it('runs the auth process on Redis and publishes its events there', async () => {
    expect(auth.output()).toContain('"messaging":"redis"');
    const bus = await openRedisEventBus(redis.config, 'e2e-subscriber');
    const logins: DomainEvent[] = [];
    try {
      await bus.adapter.subscribe(EventChannels.authLogin, (event) => {
        logins.push(event);
      });
      const body = { email: 'grace@example.com', password: 'correct horse battery', name: 'Grace' };
      expect((await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, { body })).status).toBe(201);
      const login = await jsonRequest(http2, 'POST', `${authHttp}/auth/login`, {
        body: { email: body.email, password: body.password },
      });
      expect(login.status).toBe(200);
      await waitFor(() => logins.length === 1, 10_000, 'auth:events:login over Redis');
      expect(logins[0]).toMatchObject({ type: 'login', session_id: login.body.session_id });
    } finally {
      await bus.close();
    }
  });

  it('hands the welcome email to the auth worker through the Redis job queue', async () => {
    const store = await openRedisStreamStore(redis.config, 'e2e-reader');
    try {
      const body = { email: 'linus@example.com', password: 'correct horse battery', name: 'Linus' };
      expect((await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, { body })).status).toBe(201);
      // The job goes out through auth's outbox right after the commit (docs/adr/0038).
      await waitFor(
        async () =>
          (await store.adapter.range(Queues.email, '-', '+')).some((entry) => JSON.stringify(entry.fields).includes('linus@example.com')),
        10_000,
        'the welcome-email job on the queue',
      );
      await waitFor(() => auth.output().includes('"to":"linus@example.com"'), 10_000, 'the welcome email to be sent');
      await waitFor(
        async () => (await store.adapter.pending(Queues.email, 'auth-email-workers')).length === 0,
        10_000,
        'the job to be acknowledged',
      );
    } finally {
      await store.close();
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await auth.stop()).toBe(0);
    expect(auth.output()).toContain('stopped cleanly');
  });
});
