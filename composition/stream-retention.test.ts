import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '../core/messaging/channels.js';
import type { StreamStore } from '../core/messaging/streams.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { aUser } from '../test-support/gateway-users.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { testLogger } from '../test-support/test-logger.js';
import { startTestMesh } from '../test-support/test-mesh.js';
import { loadConfig } from './config.js';
import type { RunningMesh } from './launcher.js';
import { createRedisMessaging } from './messaging.js';

/** Each family's `STREAM_RETENTION_*` setting trims what the services append, in memory and on Redis. */
describe('stream retention set by configuration', () => {
  describe('the services in one process, in memory', () => {
    const http = h2cAgent();
    let mesh: RunningMesh;
    let gateway: string;

    beforeAll(async () => {
      mesh = await startTestMesh({ STREAM_RETENTION_COLLABORATION: '3', STREAM_RETENTION_NOTIFICATIONS: '2' });
      gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')?.http.port}`;
    }, 60_000);

    afterAll(async () => {
      await http.close();
      await mesh?.stop();
    });

    it("keeps the configured number of a project's collaboration entries", async () => {
      const ada = await aUser(http, gateway, 'ada');
      const project = await jsonRequest(http, 'POST', `${gateway}/projects`, { token: ada.token, body: { name: 'Retained' } });
      const projectId = project.body.project_id as string;
      for (let round = 0; round < 4; round += 1) {
        const joined = await jsonRequest(http, 'POST', `${gateway}/projects/${projectId}/collaboration`, { token: ada.token, body: {} });
        expect(joined.status).toBe(200);
        const left = await jsonRequest(
          http,
          'DELETE',
          `${gateway}/projects/${projectId}/collaboration?collaboration_session_id=${encodeURIComponent(joined.body.collaboration_session_id)}`,
          { token: ada.token },
        );
        expect(left.status).toBe(200);
      }

      const entries = await mesh.messaging.streams.range(Streams.collaboration(projectId), '-', '+');
      expect(entries.map((entry) => entry.fields.type)).toEqual(['left', 'joined', 'left']);
    });

    it("keeps the configured number of a user's notifications", async () => {
      const ada = await aUser(http, gateway, 'ada');
      const bob = await aUser(http, gateway, 'bob');
      for (const name of ['one', 'two', 'three', 'four']) {
        const project = await jsonRequest(http, 'POST', `${gateway}/projects`, { token: ada.token, body: { name } });
        const shared = await jsonRequest(http, 'POST', `${gateway}/projects/${project.body.project_id}/share`, {
          token: ada.token,
          body: { target_user_id: bob.userId, role: 'viewer' },
        });
        expect(shared.status).toBe(200);
      }
      // Shares reach the stream through the outbox, right after each commit (docs/adr/0038).
      const names = async () =>
        (await mesh.messaging.streams.range(Streams.notifications(bob.userId), '-', '+')).map((entry) => entry.fields.project_name);
      await waitFor(async () => (await names()).includes('four'), 10_000, 'the last share notified');
      expect(await names()).toEqual(['three', 'four']);
    });
  });

  describe('on Redis', () => {
    let redis: RedisFixture;

    beforeAll(async () => {
      redis = await startRedisNode();
    }, 30_000);

    afterAll(async () => {
      await redis?.stop();
    });

    it('trims every family to its setting and leaves queues alone', async () => {
      const config = loadConfig({
        STREAM_RETENTION_SIMULATION: '10',
        STREAM_RETENTION_COLLABORATION: '20',
        STREAM_RETENTION_NOTIFICATIONS: '30',
        STREAM_RETENTION_MONITORING: '40',
        STREAM_RETENTION_HEALTH: '50',
        STREAM_RETENTION_ANALYTICS: '60',
      });
      const messaging = createRedisMessaging(redis.config, testLogger('stream-retention'), undefined, {
        retention: config.streamRetention,
        jobs: config.queues,
      });
      try {
        const kept = {
          [Streams.simulation('s-1')]: 10,
          [Streams.collaboration('p-1')]: 20,
          [Streams.notifications('u-1')]: 30,
          [Streams.monitoringMetrics]: 40,
          [Streams.systemHealth]: 50,
          [Streams.analyticsEvents]: 60,
        };
        const appended = 700;
        for (const stream of [...Object.keys(kept), 'async:email:queue']) await appendMany(messaging.streams, stream, appended);

        for (const [stream, maxLen] of Object.entries(kept)) {
          const length = await messaging.streams.length(stream);
          // MAXLEN ~ trims whole nodes of 100 entries: never fewer than asked, a node's worth more at most.
          expect(length, stream).toBeGreaterThanOrEqual(maxLen);
          expect(length, stream).toBeLessThanOrEqual(maxLen + 100);
        }
        expect(await messaging.streams.length('async:email:queue')).toBe(appended);
      } finally {
        await messaging.close();
      }
    });
  });
});

const appendMany = async (streams: StreamStore, stream: string, count: number): Promise<void> => {
  for (let i = 0; i < count; i += 1) await streams.append(stream, { n: String(i) });
};
