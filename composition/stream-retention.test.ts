import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '../core/messaging/channels.js';
import type { StreamStore } from '../core/messaging/streams.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { aUser } from '../test-support/gateway-users.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { testLogger } from '../test-support/test-logger.js';
import { startTestMesh, testMeshConfig } from '../test-support/test-mesh.js';
import { loadConfig, ServiceNames } from './config.js';
import { startMesh, type RunningMesh } from './launcher.js';
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

  describe('the other families, trimmed as their own producers append', () => {
    const http = h2cAgent();
    let mesh: RunningMesh;
    let gateway: string;
    const kept = { simulation: 5, monitoring: 2, health: 3, analytics: 4 };

    beforeAll(async () => {
      mesh = await startMesh({
        config: testMeshConfig({
          STREAM_RETENTION_SIMULATION: String(kept.simulation),
          STREAM_RETENTION_MONITORING: String(kept.monitoring),
          STREAM_RETENTION_HEALTH: String(kept.health),
          STREAM_RETENTION_ANALYTICS: String(kept.analytics),
          SIMULATION_UPDATES_PER_SECOND: '20',
        }),
        logger: testLogger('stream-retention'),
        services: ServiceNames,
        streamIntervals: { healthMs: 100, metricsMs: 100 },
      });
      gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')?.http.port}`;
    }, 60_000);

    afterAll(async () => {
      await http.close();
      await mesh?.stop();
    });

    it("keeps the configured number of a run's samples, of analytics events, and of health and metrics entries", async () => {
      const streams = mesh.messaging.streams;
      const ada = await aUser(http, gateway, 'ada');
      const project = await jsonRequest(http, 'POST', `${gateway}/projects`, { token: ada.token, body: { name: 'Sampled' } });
      let lastProject = '';
      for (let more = 0; more < 2 * kept.analytics; more += 1) {
        const created = await jsonRequest(http, 'POST', `${gateway}/projects`, { token: ada.token, body: { name: `more ${more}` } });
        lastProject = created.body.project_id as string;
      }
      const run = await jsonRequest(http, 'POST', `${gateway}/simulations`, {
        token: ada.token,
        body: { project_id: project.body.project_id, duration_seconds: 1 },
      });
      expect(run.status).toBe(201);
      const samples = Streams.simulation(run.body.simulation_id as string);
      const lastStep = async () => Number((await streams.range(samples, '-', '+')).at(-1)?.fields.simulation_step ?? 0);
      // 20 steps in the run's second: 4 times the 5 kept.
      await waitFor(async () => (await lastStep()) >= 4 * kept.simulation, 10_000, 'the run to append its samples');
      // Health and metrics entries keep coming: wait for an entry past the first ones the stream held.
      const firstIds = await Promise.all(
        [Streams.systemHealth, Streams.monitoringMetrics].map(async (s) => (await streams.range(s, '-', '+')).at(-1)?.id),
      );
      await waitFor(
        async () => {
          const latest = await Promise.all(
            [Streams.systemHealth, Streams.monitoringMetrics].map(async (s) => (await streams.range(s, '-', '+')).at(-1)?.id),
          );
          return latest.every((id, index) => id !== undefined && id !== firstIds[index]);
        },
        5_000,
        'new health and metrics entries',
      );

      const steps = (await streams.range(samples, '-', '+')).map((entry) => Number(entry.fields.simulation_step));
      expect(steps).toHaveLength(kept.simulation);
      expect(steps.at(-1)).toBeGreaterThanOrEqual(4 * kept.simulation);
      // A login and nine project creations, each appended through its service's outbox in order (then the run's own): the newest four kept.
      const analytics = async () => streams.range(Streams.analyticsEvents, '-', '+');
      await waitFor(
        async () => (await analytics()).some((entry) => entry.fields.project_id === lastProject),
        5_000,
        'the last creation recorded',
      );
      expect(await analytics()).toHaveLength(kept.analytics);
      expect(await streams.length(Streams.systemHealth)).toBe(kept.health);
      expect(await streams.length(Streams.monitoringMetrics)).toBe(kept.monitoring);
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
