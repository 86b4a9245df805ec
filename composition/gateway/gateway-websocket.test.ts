import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventChannels, Queues, Streams } from '../../core/messaging/channels.js';
import { toStreamFields } from '../../core/simulation/index.js';
import { aSample } from '../../contract-tests/gateway/gateway-harness.js';
import { connectSocket, type TestSocket } from '../../contract-tests/gateway/ws-client.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { CloseCodes } from '../../adapters/websocket/close-codes.js';
import type { RunningService } from '../service-server.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import { loadConfig } from '../config.js';

/** Steps far past what a real run reaches, so the samples this test appends are told from the run's own. */
const FIRST_TEST_STEP = 900_000;

/** Four services start and stop here; a loaded 2-core machine needs more than the default hook timeout. */
const STARTUP_TIMEOUT_MS = 90_000;
describe('the gateway WebSockets in front of the real services', () => {
  let bed: GatewayTestBed;
  let gateway: RunningService;
  let base: string;
  let ws: string;
  let ada: TestUser;
  let bob: TestUser;
  let projectId: string;
  let simulationId: string;
  const http = h2cAgent();
  const sockets: TestSocket[] = [];
  const open = (path: string, protocols?: string[]) => {
    const socket = connectSocket(`${ws}${path}`, protocols);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    bed = await startGatewayTestBed();
    const defaults = loadConfig({}).gateway;
    gateway = await bed.startGateway({ instanceId: 'gw-ws', websocket: { ...defaults.websocket, authTimeoutMs: 500 } });
    base = `http://127.0.0.1:${gateway.http.port}`;
    ws = `ws://127.0.0.1:${gateway.http.port}`;
    ada = await aUser(http, base, 'ada');
    bob = await aUser(http, base, 'bob');
    projectId = (await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Live' } })).body.project_id;
    const started = await jsonRequest(http, 'POST', `${base}/simulations`, {
      token: ada.token,
      body: { project_id: projectId, duration_seconds: 600 },
    });
    simulationId = started.body.simulation_id;
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await http.close();
    await bed?.stop();
  }, STARTUP_TIMEOUT_MS);

  describe('authentication', () => {
    it('closes a socket without a token with 4401', async () => {
      const socket = open('/events');
      expect((await socket.closed).code).toBe(CloseCodes.unauthenticated);
    });

    it('closes a socket with a bad token with 4401', async () => {
      const socket = open('/events', ['bearer', 'eyJ.bad.token']);
      expect((await socket.closed).code).toBe(CloseCodes.unauthenticated);
    });

    it('accepts a valid token as subprotocol and as first message', async () => {
      const viaProtocol = open('/events', ['bearer', ada.token]);
      const viaMessage = open('/events');
      await viaMessage.opened;
      viaMessage.ws.send(JSON.stringify({ type: 'auth', token: bob.token }));
      expect((await viaProtocol.waitForType('connected'))[0]).toMatchObject({ user_id: ada.userId, instance_id: 'gw-ws' });
      expect((await viaMessage.waitForType('connected'))[0]).toMatchObject({ user_id: bob.userId });
    });

    it('accepts a valid token in the Authorization header of the upgrade, as a client outside a browser sends it', async () => {
      const viaHeader = connectSocket(`${ws}/events`, undefined, { headers: { authorization: `Bearer ${ada.token}` } });
      sockets.push(viaHeader);
      // No first message is sent: without the header the socket would be closed once the 500 ms auth timeout passes.
      expect((await viaHeader.waitForType('connected'))[0]).toMatchObject({ user_id: ada.userId, instance_id: 'gw-ws' });
      viaHeader.ws.send(JSON.stringify({ type: 'ping' }));
      await viaHeader.waitForType('pong');
    });

    it('closes a socket whose Authorization header is not a valid bearer token with 4401, without waiting for a message', async () => {
      const bad = connectSocket(`${ws}/events`, undefined, { headers: { authorization: 'Bearer eyJ.bad.token' } });
      const basic = connectSocket(`${ws}/events`, undefined, { headers: { authorization: 'Basic YWRhOnNlY3JldA==' } });
      sockets.push(bad, basic);
      // Refused for what the header says, not for a first message that never came.
      for (const socket of [bad, basic]) {
        const closure = await socket.closed;
        expect(closure.code).toBe(CloseCodes.unauthenticated);
        expect(closure.reason).not.toMatch(/in time/);
      }
      expect((await basic.closed).reason).toMatch(/Bearer <token>/);
    });
  });

  describe('/simulation/stream', () => {
    it('sends the status, then simulation_metrics for entries appended to simulation:stream:{id}', async () => {
      const socket = open(`/simulation/stream?simulation_id=${simulationId}`, ['bearer', ada.token]);
      const [status] = await socket.waitForType('simulation_status');
      expect(status).toMatchObject({ simulation_id: simulationId, status: 'running' });

      const steps = [1, 2, 3].map((i) => FIRST_TEST_STEP + i);
      await bed.messaging.streams.appendBatch(
        Streams.simulation(simulationId),
        steps.map((step) => toStreamFields(aSample(step))),
      );

      await waitFor(() => ours(socket).length === 3, 10_000, 'the three appended samples');
      expect(ours(socket)[0]).toEqual({
        type: 'simulation_metrics',
        id: expect.stringMatching(/^\d+-\d+$/),
        simulation_id: simulationId,
        ...aSample(steps[0]!),
      });
      // The run itself streams too: every message has the twelve fields and an epoch-ms timestamp.
      const runs = socket.ofType('simulation_metrics');
      expect(runs.every((message) => typeof message['cpu_total'] === 'number' && Number(message['timestamp']) < 1e14)).toBe(true);
    });

    it('closes with 4403 for a user who may not read the simulation and 4404 for an unknown one', async () => {
      const forbidden = open(`/simulation/stream?simulation_id=${simulationId}`, ['bearer', bob.token]);
      const unknown = open('/simulation/stream?simulation_id=00000000-0000-0000-0000-000000000000', ['bearer', ada.token]);
      expect((await forbidden.closed).code).toBe(CloseCodes.forbidden);
      expect((await unknown.closed).code).toBe(CloseCodes.notFound);
    });

    it('ends watchers with simulation_completed when the simulation stops', async () => {
      const short = await jsonRequest(http, 'POST', `${base}/simulations`, {
        token: ada.token,
        body: { project_id: projectId, duration_seconds: 600 },
      });
      const id: string = short.body.simulation_id;
      const socket = open(`/simulation/stream?simulation_id=${id}`, ['bearer', ada.token]);
      await socket.waitForType('simulation_status');

      await jsonRequest(http, 'POST', `${base}/simulations/${id}/stop`, { token: ada.token, body: {} });

      const [ended] = await socket.waitForType('simulation_completed');
      expect(ended).toMatchObject({ simulation_id: id, status: 'stopped' });
      expect((await socket.closed).code).toBe(CloseCodes.normal);
    });
  });

  describe('/events', () => {
    it('gets the events of the user projects, and not of others', async () => {
      const [adaEvents, bobEvents] = [open('/events', ['bearer', ada.token]), open('/events', ['bearer', bob.token])];
      await adaEvents.waitForType('connected');
      await bobEvents.waitForType('connected');

      const created = await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Private' } });

      const isCreation = (message: Record<string, unknown>) =>
        message['channel'] === EventChannels.projectCreated &&
        (message['event'] as { project_id?: string }).project_id === created.body.project_id;
      await waitFor(() => adaEvents.ofType('event').some(isCreation), 10_000, 'the creation event');
      await bed.messaging.events.publish(EventChannels.systemAnnouncements, { type: 'announcement', text: 'sync', timestamp: Date.now() });
      await bobEvents.waitForType('event');
      expect(bobEvents.ofType('event').map((message) => message['channel'])).toEqual([EventChannels.systemAnnouncements]);
    });

    it("gets a share of the user's own, and the notification the project service writes for it", async () => {
      const bobEvents = open('/events', ['bearer', bob.token]);
      await bobEvents.waitForType('connected');

      await jsonRequest(http, 'POST', `${base}/projects/${projectId}/share`, {
        token: ada.token,
        body: { target_user_id: bob.userId, role: 'viewer' },
      });

      await waitFor(
        () => bobEvents.ofType('event').some((message) => message['channel'] === EventChannels.projectShared),
        10_000,
        'the share',
      );
      const [notification] = await bobEvents.waitForType('notification');
      expect(notification).toMatchObject({ notification: { type: 'project_shared', project_id: projectId } });
    });

    it('gets notify jobs of async:notifications:queue', async () => {
      const socket = open('/events', ['bearer', ada.token]);
      await socket.waitForType('connected');
      await bed.messaging.jobs.enqueue(Queues.notifications, {
        type: 'notify',
        payload: { user_id: ada.userId, notification: { text: 'hi' } },
      });
      expect((await socket.waitForType('notify'))[0]).toEqual({ type: 'notify', user_id: ada.userId, notification: { text: 'hi' } });
    });

    it('is closed with 4401 when its session logs out', async () => {
      const carol = await aUser(http, base, 'carol');
      const socket = open('/events', ['bearer', carol.token]);
      await socket.waitForType('connected');
      await jsonRequest(http, 'POST', `${base}/auth/logout`, { token: carol.token });
      expect((await socket.closed).code).toBe(CloseCodes.unauthenticated);
    });
  });
});

const ours = (socket: TestSocket) =>
  socket.ofType('simulation_metrics').filter((message) => Number(message['simulation_step']) > FIRST_TEST_STEP);
