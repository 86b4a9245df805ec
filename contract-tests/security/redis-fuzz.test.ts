import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventChannels, Queues, Streams } from '../../core/messaging/channels.js';
import { decodeEvent } from '../../adapters/redis/event-codec.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';
import { aRunningSimulation, aUser, type TestUser } from '../../test-support/gateway-users.js';
import { testLogger } from '../../test-support/test-logger.js';
import { createRedisMessaging } from '../../composition/messaging.js';
import type { RunningService } from '../../composition/service-server.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { connectSocket, type TestSocket } from '../gateway/ws-client.js';
import { waitFor } from '../messaging/wait.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';

const STARTUP_TIMEOUT_MS = 120_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** What another publisher on the same Redis could send: anything, or almost an event. */
const rawMessage = (userId: string) =>
  fc.oneof(
    fc.string({ maxLength: 500 }),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc
      .record(
        {
          type: fc.oneof(fc.constantFrom('notify', 'created', 'login', '', '__proto__'), fc.string(), fc.jsonValue()),
          timestamp: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant('2026-11-29T01:00:00Z'), fc.constant(null)),
          user_id: fc.oneof(fc.constant(userId), fc.string(), fc.jsonValue()),
          owner_id: fc.oneof(fc.constant(userId), fc.jsonValue()),
          notification: fc.jsonValue(),
          simulation_step: fc.oneof(fc.integer(), fc.string(), fc.double()),
          traceparent: fc.oneof(fc.string(), fc.constant('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), fc.jsonValue()),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
    fc.constant('x'.repeat(300_000)),
  );

/** Stream entries' fields, as a foreign producer could XADD them. */
const rawFields = fc.dictionary(
  fc.oneof(
    fc.constantFrom('type', 'payload', 'simulation_step', 'timestamp', 'cpu_total', 'data'),
    fc.string({ minLength: 1, maxLength: 20 }),
  ),
  fc.string({ maxLength: 200 }),
  { minKeys: 1, maxKeys: 8 },
);

describe('generated Redis messages thrown at the adapters', () => {
  it('decodes or refuses any Pub/Sub payload, never throws, and keeps only well-formed events', () => {
    let cases = 0;
    fc.assert(
      fc.property(rawMessage('u1'), (raw) => {
        cases += 1;
        const decoded = decodeEvent(raw);
        if (decoded.ok) {
          const { event } = decoded.value;
          expect(typeof event.type).toBe('string');
          expect(event.type).not.toBe('');
          expect(Number.isFinite(event.timestamp)).toBe(true);
          expect(event).not.toHaveProperty('traceparent');
        } else {
          expect(typeof decoded.error).toBe('string');
        }
      }),
      { numRuns: RUNS * 10 },
    );
    console.log(`[redis-fuzz] ${cases} generated Pub/Sub payloads decoded or refused by event-codec, 0 thrown`);
  });

  describe('at a gateway on Redis with a live client', () => {
    let redis: RedisFixture;
    let bed: GatewayTestBed;
    let gateway: RunningService;
    let raw: Redis;
    let ada: TestUser;
    let simulationId: string;
    const http = h2cAgent();
    const sockets: TestSocket[] = [];

    beforeAll(async () => {
      redis = await startRedisNode();
      if (redis.config.kind !== 'node') throw new Error('a single redis-server was expected');
      raw = new Redis(redis.config.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
      const logger = testLogger('redis-fuzz');
      bed = await startGatewayTestBed({ openMessaging: () => createRedisMessaging(redis.config, logger) });
      gateway = await bed.startGateway({ instanceId: 'gw-fuzz' });
      const base = `http://127.0.0.1:${gateway.http.port}`;
      ada = await aUser(http, base, 'ada');
      simulationId = await aRunningSimulation(http, base, ada, 'Fuzz');
    }, STARTUP_TIMEOUT_MS);

    afterAll(async () => {
      await Promise.all(sockets.map((socket) => socket.close()));
      raw?.disconnect();
      await http.close();
      await bed?.stop();
      await redis?.stop();
    }, STARTUP_TIMEOUT_MS);

    it('survives generated events and stream entries, keeps its sockets, and still delivers the next real notification', async () => {
      const url = `ws://127.0.0.1:${gateway.http.port}`;
      const events = connectSocket(`${url}/events`, ['bearer', ada.token]);
      const watcher = connectSocket(`${url}/simulation/stream?simulation_id=${simulationId}`, ['bearer', ada.token]);
      sockets.push(events, watcher);
      await events.waitForType('connected');
      await watcher.waitForType('simulation_status');
      const channels = [
        EventChannels.systemAnnouncements,
        'project:events:updated',
        'auth:events:login',
        `notifications:user:${ada.userId}`,
        `simulation:data:${simulationId}`,
      ];
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...channels), rawMessage(ada.userId), rawFields, async (channel, message, fields) => {
          cases += 1;
          await raw.publish(channel, message);
          await raw.xadd(Streams.simulation(simulationId), '*', ...Object.entries(fields).flat());
          await raw.xadd(Streams.notifications(ada.userId), '*', ...Object.entries(fields).flat());
          await raw.xadd(Queues.notifications, '*', ...Object.entries(fields).flat());
        }),
        { numRuns: RUNS },
      );

      const health = await jsonRequest(http, 'GET', `http://127.0.0.1:${gateway.http.port}/health`);
      await bed.messaging.jobs.enqueue(Queues.notifications, {
        type: 'notify',
        payload: { user_id: ada.userId, notification: { after: 'fuzz' } },
      });
      await waitFor(
        () => events.ofType('notify').some((m) => JSON.stringify(m).includes('"after":"fuzz"')),
        15_000,
        'the real notification',
      );
      // Pub/Sub keeps order per connection: the real announcement comes after every generated message was handled.
      await raw.publish(
        EventChannels.systemAnnouncements,
        JSON.stringify({ type: 'announcement', text: 'after fuzz', timestamp: Date.now() }),
      );
      await waitFor(() => events.ofType('event').some((m) => JSON.stringify(m).includes('after fuzz')), 15_000, 'the real announcement');
      const open = [events, watcher].filter((socket) => socket.ws.readyState === socket.ws.OPEN).length;
      console.log(
        `[redis-fuzz] ${cases} generated Pub/Sub messages and ${cases * 3} stream entries at a gateway: health ${health.status}, ` +
          `${open}/2 sockets open, the next real notification and announcement delivered`,
      );
      expect(health.status).toBe(200);
      expect(open).toBe(2);
    });
  });
});
