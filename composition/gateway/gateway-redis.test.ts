import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventChannels, Queues, Streams } from '../../core/messaging/channels.js';
import { toStreamFields } from '../../core/simulation/index.js';
import { aSample } from '../../contract-tests/gateway/gateway-harness.js';
import { connectSocket, type TestSocket } from '../../contract-tests/gateway/ws-client.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { h2cAgent } from '../../contract-tests/support/http2-client.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { createRedisMessaging } from '../messaging.js';
import type { RunningService } from '../service-server.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';
import { aRunningSimulation, aUser, type TestUser } from '../../test-support/gateway-users.js';
import { testLogger } from '../../test-support/test-logger.js';

/** Four services start and stop here, and a redis-server; a loaded 2-core machine needs more than the default hook timeout. */
const STARTUP_TIMEOUT_MS = 90_000;
const FIRST_TEST_STEP = 900_000;

describe('two gateway instances as separate processes on one Redis', () => {
  let redis: RedisFixture;
  let bed: GatewayTestBed;
  let gateways: RunningService[];
  let ada: TestUser;
  let simulationId: string;
  const http = h2cAgent();
  const sockets: TestSocket[] = [];
  const open = (gateway: RunningService, path: string) => {
    const socket = connectSocket(`ws://127.0.0.1:${gateway.http.port}${path}`, ['bearer', ada.token]);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    redis = await startRedisNode();
    const logger = testLogger('gateway-redis-test');
    bed = await startGatewayTestBed({ openMessaging: () => createRedisMessaging(redis.config, logger) });
    gateways = [await bed.startGateway({ instanceId: 'gw-r1' }), await bed.startGateway({ instanceId: 'gw-r2' })];
    const base = `http://127.0.0.1:${gateways[0]!.http.port}`;
    ada = await aUser(http, base, 'ada');
    simulationId = await aRunningSimulation(http, base, ada, 'Redis');
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await http.close();
    await bed?.stop();
    await redis?.stop();
  }, STARTUP_TIMEOUT_MS);

  it('delivers every update of a simulation stream to the watchers of both instances', async () => {
    const watchers = gateways.map((gateway) => open(gateway, `/simulation/stream?simulation_id=${simulationId}`));
    for (const watcher of watchers) await watcher.waitForType('simulation_status');
    const steps = Array.from({ length: 300 }, (_, i) => FIRST_TEST_STEP + 1 + i);

    for (let at = 0; at < steps.length; at += 30) {
      const batch = steps.slice(at, at + 30).map((step) => toStreamFields(aSample(step)));
      await bed.messaging.streams.appendBatch(Streams.simulation(simulationId), batch);
    }

    for (const watcher of watchers) {
      const ours = () => watcher.ofType('simulation_metrics').filter((message) => Number(message['simulation_step']) > FIRST_TEST_STEP);
      await waitFor(() => ours().length === steps.length, 15_000, 'every appended sample');
      expect(ours().map((message) => message['simulation_step'])).toEqual(steps);
    }
  });

  it('delivers notify jobs and system announcements to the sockets of both instances', async () => {
    const sockets = gateways.map((gateway) => open(gateway, '/events'));
    for (const socket of sockets) await socket.waitForType('connected');

    await bed.messaging.jobs.enqueue(Queues.notifications, { type: 'notify', payload: { user_id: ada.userId, notification: { n: 1 } } });
    await bed.messaging.events.publish(EventChannels.systemAnnouncements, { type: 'announcement', text: 'hello', timestamp: Date.now() });

    for (const socket of sockets) {
      expect(await socket.waitForType('notify')).toEqual([{ type: 'notify', user_id: ada.userId, notification: { n: 1 } }]);
      await waitFor(
        () => socket.ofType('event').some((message) => message['channel'] === EventChannels.systemAnnouncements),
        10_000,
        'the announcement',
      );
    }
  });
});
