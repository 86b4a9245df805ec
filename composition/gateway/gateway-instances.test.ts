import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queues, Streams } from '../../core/messaging/channels.js';
import { toStreamFields } from '../../core/simulation/index.js';
import { GetConnectedClientsRequest, RouteMessageRequest, GatewayServiceClient } from '../../adapters/grpc/generated/gateway.js';
import { CloseCodes } from '../../adapters/websocket/close-codes.js';
import { aSample } from '../../contract-tests/gateway/gateway-harness.js';
import { connectSocket, type TestSocket } from '../../contract-tests/gateway/ws-client.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { callUnary } from '../../contract-tests/support/grpc-unary.js';
import { h2cAgent } from '../../contract-tests/support/http2-client.js';
import type { RunningService } from '../service-server.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';
import { aRunningSimulation, aUser, type TestUser } from '../../test-support/gateway-users.js';

const FIRST_TEST_STEP = 900_000;

/** Four services start and stop here; a loaded 2-core machine needs more than the default hook timeout. */
const STARTUP_TIMEOUT_MS = 90_000;
describe('two gateway instances on one layer 3', () => {
  let bed: GatewayTestBed;
  let first: RunningService;
  let second: RunningService;
  let ada: TestUser;
  let simulationId: string;
  const http = h2cAgent();
  const sockets: TestSocket[] = [];
  const open = (gateway: RunningService, path: string, token: string) => {
    const socket = connectSocket(`ws://127.0.0.1:${gateway.http.port}${path}`, ['bearer', token]);
    sockets.push(socket);
    return socket;
  };
  const ours = (socket: TestSocket) =>
    socket.ofType('simulation_metrics').filter((message) => Number(message['simulation_step']) > FIRST_TEST_STEP);

  beforeAll(async () => {
    bed = await startGatewayTestBed();
    first = await bed.startGateway({ instanceId: 'gw-1' });
    second = await bed.startGateway({ instanceId: 'gw-2' });
    const base = `http://127.0.0.1:${first.http.port}`;
    ada = await aUser(http, base, 'ada');
    simulationId = await aRunningSimulation(http, base, ada, 'Twice');
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await http.close();
    await bed?.stop();
  }, STARTUP_TIMEOUT_MS);

  it('delivers every update of a simulation to the watchers of both instances', async () => {
    const path = `/simulation/stream?simulation_id=${simulationId}`;
    const watchers = [open(first, path, ada.token), open(first, path, ada.token), open(second, path, ada.token)];
    for (const watcher of watchers) await watcher.waitForType('simulation_status');

    const steps = Array.from({ length: 250 }, (_, i) => FIRST_TEST_STEP + 1 + i);
    for (let at = 0; at < steps.length; at += 50) {
      await bed.messaging.streams.appendBatch(
        Streams.simulation(simulationId),
        steps.slice(at, at + 50).map((step) => toStreamFields(aSample(step))),
      );
    }

    for (const watcher of watchers) {
      await waitFor(() => ours(watcher).length === steps.length, 15_000, 'every appended sample at every watcher');
      expect(ours(watcher).map((message) => message['simulation_step'])).toEqual(steps);
    }
  });

  it('delivers a notify job to the user sockets on both instances', async () => {
    const [onFirst, onSecond] = [open(first, '/events', ada.token), open(second, '/events', ada.token)];
    await onFirst.waitForType('connected');
    await onSecond.waitForType('connected');

    await bed.messaging.jobs.enqueue(Queues.notifications, { type: 'notify', payload: { user_id: ada.userId, notification: { n: 1 } } });

    for (const socket of [onFirst, onSecond])
      expect(await socket.waitForType('notify')).toEqual([{ type: 'notify', user_id: ada.userId, notification: { n: 1 } }]);
  });

  it('routes a gRPC message to the user’s sockets on both instances, whichever is asked, and lists them from either', async () => {
    const bob = await aUser(http, `http://127.0.0.1:${first.http.port}`, 'bob');
    const [onFirst, onSecond] = [open(first, '/events', bob.token), open(second, '/events', bob.token)];
    const [connectedFirst] = await onFirst.waitForType('connected');
    await onSecond.waitForType('connected');
    const client = new GatewayServiceClient(`127.0.0.1:${second.grpc.port}`, credentials.createInsecure());
    try {
      const listed = async () =>
        callUnary(client.getConnectedClients.bind(client), GetConnectedClientsRequest.fromPartial({ userId: bob.userId }));
      // Each instance writes its clients to the shared directory as they connect.
      await waitFor(async () => (await listed()).totalCount === 2, 10_000, 'both sockets in the directory');
      expect((await listed()).clients.map((info) => info.instanceId).sort()).toEqual(['gw-1', 'gw-2']);

      const answer = await callUnary(
        client.routeMessage.bind(client),
        RouteMessageRequest.fromPartial({
          targetUserId: bob.userId,
          messageType: 'everywhere',
          payload: Buffer.from('{}'),
          sourceService: 'test',
        }),
      );
      expect(answer).toMatchObject({ delivered: true, clientCount: 2, instanceCount: 2, unreachableInstances: [] });
      await onFirst.waitForType('everywhere');
      await onSecond.waitForType('everywhere');

      const one = await callUnary(
        client.routeMessage.bind(client),
        RouteMessageRequest.fromPartial({
          targetClientId: String(connectedFirst!['client_id']),
          messageType: 'just_you',
          payload: Buffer.from('1'),
          sourceService: 'test',
        }),
      );
      expect(one).toMatchObject({ delivered: true, clientCount: 1, instanceCount: 2 });
      await onFirst.waitForType('just_you');
      expect(onSecond.ofType('just_you')).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('closes its sockets with 1001 when one instance stops, the other serving on', async () => {
    const third = await bed.startGateway({ instanceId: 'gw-3' });
    const doomed = open(third, '/events', ada.token);
    const survivor = open(second, '/events', ada.token);
    await doomed.waitForType('connected');
    await survivor.waitForType('connected');

    await third.stop();

    expect((await doomed.closed).code).toBe(CloseCodes.goingAway);
    await bed.messaging.jobs.enqueue(Queues.notifications, { type: 'notify', payload: { user_id: ada.userId, notification: { n: 2 } } });
    await waitFor(() => survivor.ofType('notify').length === 1, 10_000, 'the survivor to be served');
  });
});
