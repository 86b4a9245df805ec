import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Streams } from '../../core/messaging/channels.js';
import { delay, waitFor } from '../messaging/wait.js';
import { aSample, createGatewayHarness, type GatewayHarness, type GatewayInstance } from './gateway-harness.js';
import { RecordingConnection } from './recording-connection.js';

describe('live sessions: simulation watchers and events clients', () => {
  let h: GatewayHarness;
  let gw: GatewayInstance;
  beforeEach(() => {
    h = createGatewayHarness();
    gw = h.instance();
    h.simulations.add('sim-1', ['ada', 'bob']);
  });
  afterEach(async () => {
    await h.close();
  });

  const watch = async (instance: GatewayInstance, userId: string, simulationId = 'sim-1', clientId = `w-${userId}-${Math.random()}`) => {
    const connection = new RecordingConnection();
    const outcome = await instance.sessions.watchSimulation({ clientId, identity: h.identity(userId), simulationId, connection });
    return { connection, outcome, clientId };
  };

  describe('watchSimulation', () => {
    it('sends the status, then a simulation_metrics message per new stream entry, timestamps in epoch ms', async () => {
      const { connection, outcome } = await watch(gw, 'ada');
      expect(outcome.ok).toBe(true);

      await h.appendSamples('sim-1', [1, 2]);

      await waitFor(() => connection.ofType('simulation_metrics').length === 2, 5_000, 'two samples');
      expect(connection.received[0]).toEqual({
        type: 'simulation_status',
        simulation_id: 'sim-1',
        status: 'running',
        progress_percentage: 0,
      });
      expect(connection.ofType('simulation_metrics')[0]).toEqual({
        type: 'simulation_metrics',
        id: expect.stringMatching(/^\d+-\d+$/),
        simulation_id: 'sim-1',
        ...aSample(1),
      });
    });

    it('reads each simulation once for all its local watchers', async () => {
      const [a, b] = [await watch(gw, 'ada'), await watch(gw, 'bob')];

      expect(gw.fanOut.readers).toEqual([Streams.simulation('sim-1')]);
      await h.appendSamples('sim-1', [7]);
      await waitFor(() => a.connection.ofType('simulation_metrics').length === 1, 5_000, 'the sample at a');
      await waitFor(() => b.connection.ofType('simulation_metrics').length === 1, 5_000, 'the sample at b');
      // One message object, serialised once by the transport, goes to every watcher.
      expect(a.connection.ofType('simulation_metrics')[0]).toBe(b.connection.ofType('simulation_metrics')[0]);
    });

    it('stops reading when the last watcher leaves', async () => {
      const a = await watch(gw, 'ada');
      const b = await watch(gw, 'bob');
      gw.sessions.end(a.clientId);
      expect(gw.simulationFeeds.simulations).toEqual(['sim-1']);
      gw.sessions.end(b.clientId);
      expect(gw.simulationFeeds.simulations).toEqual([]);
      expect(gw.fanOut.readers).toEqual([]);
    });

    it('refuses a user who may not read the simulation, and an unknown simulation', async () => {
      const forbidden = await watch(gw, 'eve');
      const unknown = await watch(gw, 'ada', 'sim-404');
      expect(forbidden.outcome).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
      expect(unknown.outcome).toMatchObject({ ok: false, error: { kind: 'not_found' } });
      expect(gw.registry.size).toBe(0);
    });

    it('reports a finished simulation and closes the watcher without reading its stream', async () => {
      h.simulations.add('sim-done', ['ada'], 'completed');
      const { connection } = await watch(gw, 'ada', 'sim-done');
      expect(connection.received.map((message) => message.type)).toEqual(['simulation_status', 'simulation_completed']);
      expect(connection.closedWith?.reason).toBe('finished');
      expect(gw.fanOut.readers).toEqual([]);
    });

    it('on completion, delivers the last samples, then simulation_completed, then closes every watcher', async () => {
      const a = await watch(gw, 'ada');
      await h.appendSamples('sim-1', [1, 2, 3]);

      await gw.simulationFeeds.complete('sim-1', 'stopped');

      expect(a.connection.received.map((message) => message.type)).toEqual([
        'simulation_status',
        'simulation_metrics',
        'simulation_metrics',
        'simulation_metrics',
        'simulation_completed',
      ]);
      expect(a.connection.received.at(-1)).toEqual({ type: 'simulation_completed', simulation_id: 'sim-1', status: 'stopped' });
      expect(a.connection.closedWith?.reason).toBe('finished');
    });

    it('skips entries that are not samples', async () => {
      const { connection } = await watch(gw, 'ada');
      await h.streams.append(Streams.simulation('sim-1'), { note: 'not a sample' });
      await h.appendSamples('sim-1', [5]);
      await waitFor(() => connection.ofType('simulation_metrics').length === 1, 5_000, 'the sample');
      await delay(20);
      expect(connection.ofType('simulation_metrics')).toHaveLength(1);
    });

    it('gives watchers on two instances every update: each instance reads for itself', async () => {
      const other = h.instance('gw-2');
      const [a, b] = [await watch(gw, 'ada'), await watch(other, 'bob')];

      await h.appendSamples('sim-1', [1, 2, 3, 4]);

      for (const { connection } of [a, b]) {
        await waitFor(() => connection.ofType('simulation_metrics').length === 4, 5_000, 'all four samples');
        expect(connection.ofType('simulation_metrics').map((message) => message['simulation_step'])).toEqual([1, 2, 3, 4]);
      }
    });
  });

  describe('openEvents', () => {
    it('greets the client, then follows the user notification stream from now on', async () => {
      await h.streams.append(Streams.notifications('ada'), { type: 'old', text: 'before' });
      await delay(5); // stream ids have millisecond resolution
      const socket = h.eventsClient(gw, 'ada', 'events-1');
      expect(socket.received[0]).toEqual({ type: 'connected', client_id: 'events-1', user_id: 'ada', instance_id: 'gw-1' });

      const id = await h.streams.append(Streams.notifications('ada'), { type: 'project_shared', project_id: 'p1' });

      await waitFor(() => socket.ofType('notification').length === 1, 5_000, 'the notification');
      expect(socket.ofType('notification')).toEqual([
        { type: 'notification', id, notification: { type: 'project_shared', project_id: 'p1' } },
      ]);
    });

    it('reads one notification stream per user for all the user sockets, until the last leaves', async () => {
      h.eventsClient(gw, 'ada', 'e1');
      h.eventsClient(gw, 'ada', 'e2');
      expect(gw.fanOut.readers).toEqual([Streams.notifications('ada')]);
      gw.sessions.end('e1');
      expect(gw.notificationFeeds.users).toEqual(['ada']);
      gw.sessions.end('e2');
      expect(gw.notificationFeeds.users).toEqual([]);
    });

    it('closes every socket when the instance stops', () => {
      const socket = h.eventsClient(gw, 'ada');
      gw.sessions.closeAll();
      expect(socket.closedWith?.reason).toBe('shutdown');
    });
  });
});
