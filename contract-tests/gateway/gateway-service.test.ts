import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Topics } from '../../core/gateway/index.js';
import { createGatewayHarness, HARNESS_DIRECTORY_TTL_MS, type GatewayHarness, type GatewayInstance } from './gateway-harness.js';
import { RecordingConnection } from './recording-connection.js';

const nothing = { delivered: false, clientCount: 0, instanceCount: 1, unreachable: [] };

describe('the gateway service of one instance', () => {
  let h: GatewayHarness;
  let gw: GatewayInstance;
  beforeEach(() => {
    h = createGatewayHarness();
    gw = h.instance('gw-a');
  });
  afterEach(async () => {
    await h.close();
  });

  describe('registerClient / unregisterClient / clientInfo', () => {
    it('registers a session for another service and describes it', async () => {
      const registered = gw.service.registerClient({ clientId: 'c1', userId: 'u1', subscriptions: ['events'], connectionType: 'http' });

      expect(registered).toMatchObject({ ok: true, value: { clientId: 'c1', userId: 'u1', instanceId: 'gw-a', connectionType: 'http' } });
      const info = await gw.service.clientInfo('c1');
      expect(info).toMatchObject({ ok: true, value: { subscriptions: ['events'], connectedAt: h.clock.now() } });
    });

    it('refuses a registration without ids or with an unknown connection type', () => {
      expect(gw.service.registerClient({ clientId: '', userId: 'u1', subscriptions: [], connectionType: 'http' })).toMatchObject({
        ok: false,
        error: { kind: 'invalid', violations: [{ field: 'client_id' }] },
      });
      expect(gw.service.registerClient({ clientId: 'c', userId: 'u1', subscriptions: [], connectionType: 'carrier-pigeon' })).toMatchObject(
        {
          ok: false,
          error: { kind: 'invalid', violations: [{ field: 'connection_type' }] },
        },
      );
      expect(
        gw.service.registerClient({
          clientId: 'c',
          userId: 'u1',
          subscriptions: Array.from({ length: 101 }, (_, i) => `t${i}`),
          connectionType: 'http',
        }),
      ).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    });

    it('unregisters a client, closing the socket it holds, and then knows it no more', async () => {
      const socket = h.eventsClient(gw, 'u1', 'ws-1');

      expect((await gw.service.unregisterClient({ clientId: 'ws-1' })).ok).toBe(true);

      expect(socket.closedWith).toEqual({ reason: 'finished', detail: 'unregistered' });
      await h.settled();
      expect(await gw.service.clientInfo('ws-1')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
      expect(await gw.service.unregisterClient({ clientId: 'ws-1' })).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    });
  });

  describe('routeMessage', () => {
    it('delivers to every socket of the user on this instance as {type, source_service, payload}', async () => {
      const first = h.eventsClient(gw, 'u1');
      const second = h.eventsClient(gw, 'u1');
      const other = h.eventsClient(gw, 'u2');

      const report = await gw.service.routeMessage({
        targetUserId: 'u1',
        messageType: 'invite',
        payload: { project: 'p1' },
        sourceService: 'project',
      });

      expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 2, instanceCount: 1, unreachable: [] } });
      for (const socket of [first, second]) {
        expect(socket.ofType('invite')).toEqual([{ type: 'invite', source_service: 'project', payload: { project: 'p1' } }]);
      }
      expect(other.ofType('invite')).toEqual([]);
    });

    it('reports nothing delivered for a user without sockets, including sessions registered without one', async () => {
      gw.service.registerClient({ clientId: 'http-1', userId: 'u1', subscriptions: [Topics.userInbox('u1')], connectionType: 'http' });
      const report = await gw.service.routeMessage({ targetUserId: 'u1', messageType: 'invite', payload: null, sourceService: 'project' });
      expect(report).toEqual({ ok: true, value: nothing });
    });

    it('does not count a closed socket', async () => {
      const socket = h.eventsClient(gw, 'u1');
      socket.close('finished');
      expect(await gw.service.routeMessage({ targetUserId: 'u1', messageType: 'x', payload: 1, sourceService: 's' })).toEqual({
        ok: true,
        value: nothing,
      });
    });

    it('refuses a message without a type or a target, or with two targets', async () => {
      expect((await gw.service.routeMessage({ targetUserId: 'u1', messageType: '', payload: 1, sourceService: 's' })).ok).toBe(false);
      expect((await gw.service.routeMessage({ targetUserId: '', messageType: 'x', payload: 1, sourceService: 's' })).ok).toBe(false);
      expect(
        await gw.service.routeMessage({ targetUserId: 'u1', targetClientId: 'c1', messageType: 'x', payload: 1, sourceService: 's' }),
      ).toMatchObject({ ok: false, error: { kind: 'invalid', violations: [{ field: 'target_client_id' }] } });
    });
  });

  describe('broadcastMessage', () => {
    it('delivers to every socket, or only to subscribers of a channel, minus the excluded', async () => {
      const a = h.eventsClient(gw, 'u1', 'a');
      const b = h.eventsClient(gw, 'u2', 'b');
      const watcher = new RecordingConnection();
      gw.registry.register({
        clientId: 'w',
        userId: 'u3',
        subscriptions: [Topics.simulation('s1')],
        connectionType: 'websocket',
        connection: watcher,
      });

      const everyone = await gw.service.broadcastMessage({
        channel: '',
        messageType: 'maintenance',
        payload: 'soon',
        sourceService: 'ops',
      });
      const eventsOnly = await gw.service.broadcastMessage({
        channel: Topics.events,
        messageType: 'hello',
        payload: {},
        sourceService: 'ops',
        excludeClientIds: ['b'],
      });

      expect(everyone).toMatchObject({ ok: true, value: { delivered: true, clientCount: 3 } });
      expect(eventsOnly).toMatchObject({ ok: true, value: { delivered: true, clientCount: 1 } });
      expect(a.ofType('hello')).toHaveLength(1);
      expect(b.ofType('hello')).toHaveLength(0);
      expect(watcher.ofType('maintenance')).toHaveLength(1);
    });
  });

  describe('connectedClients', () => {
    it('lists the clients, filtered and paged', async () => {
      h.eventsClient(gw, 'u1', 'a');
      h.clock.advance(1);
      h.eventsClient(gw, 'u2', 'b');
      h.clock.advance(1);
      h.eventsClient(gw, 'u1', 'c');

      const page = await gw.service.connectedClients({ userId: 'u1', pageSize: 1 });
      expect(page).toMatchObject({ ok: true, value: { totalCount: 2, clients: [{ clientId: 'a', instanceId: 'gw-a' }] } });
      const next = page.ok ? await gw.service.connectedClients({ userId: 'u1', pageSize: 1, pageToken: page.value.nextPageToken }) : page;
      expect(next).toMatchObject({ ok: true, value: { clients: [{ clientId: 'c' }], nextPageToken: '' } });
    });
  });
});

describe('the gateway service across three instances sharing one directory', () => {
  let h: GatewayHarness;
  let gws: GatewayInstance[];
  beforeEach(async () => {
    h = createGatewayHarness();
    gws = ['gw-1', 'gw-2', 'gw-3'].map((id) => h.instance(id));
  });
  afterEach(async () => {
    await h.close();
  });
  const [first, second, third] = [0, 1, 2];
  const watch = (gw: GatewayInstance, userId: string, clientId: string, simulationId = 's1'): RecordingConnection => {
    const connection = new RecordingConnection();
    gw.registry.register({
      clientId,
      userId,
      sessionId: `auth-session-of-${userId}`,
      subscriptions: [Topics.simulation(simulationId)],
      connectionType: 'websocket',
      connection,
    });
    return connection;
  };

  it('routes a message to the user’s /events sockets on every instance, whichever instance is asked, and sums the count', async () => {
    const sockets = [h.eventsClient(gws[first]!, 'u1'), h.eventsClient(gws[second]!, 'u1'), h.eventsClient(gws[second]!, 'u1')];
    const otherUser = h.eventsClient(gws[third]!, 'u2');
    const watcher = watch(gws[third]!, 'u1', 'w-1');
    await h.settled();

    const report = await gws[third]!.service.routeMessage({
      targetUserId: 'u1',
      messageType: 'invite',
      payload: 7,
      sourceService: 'project',
    });

    expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 3, instanceCount: 3, unreachable: [] } });
    for (const socket of sockets) expect(socket.ofType('invite')).toEqual([{ type: 'invite', source_service: 'project', payload: 7 }]);
    expect(otherUser.ofType('invite')).toEqual([]);
    expect(watcher.ofType('invite')).toEqual([]);
  });

  it('asks only the instances holding a target', async () => {
    h.eventsClient(gws[second]!, 'u1');
    await h.settled();
    h.peers.down.add('gw-3');

    const report = await gws[first]!.service.routeMessage({
      targetUserId: 'u1',
      messageType: 'invite',
      payload: 7,
      sourceService: 'project',
    });

    expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 1, instanceCount: 2, unreachable: [] } });
  });

  it('routes to one client by id on the instance holding it, whatever the socket is', async () => {
    const watcher = watch(gws[second]!, 'u1', 'w-1');
    const events = h.eventsClient(gws[second]!, 'u1');
    await h.settled();

    const report = await gws[first]!.service.routeMessage({
      targetUserId: '',
      targetClientId: 'w-1',
      messageType: 'hint',
      payload: null,
      sourceService: 'simulation',
    });

    expect(report).toMatchObject({ ok: true, value: { delivered: true, clientCount: 1, instanceCount: 2 } });
    expect(watcher.ofType('hint')).toHaveLength(1);
    expect(events.ofType('hint')).toEqual([]);
  });

  it('with disconnect, tells then closes every socket of the user on every instance (4401), only those of one session when given', async () => {
    const mine = [h.eventsClient(gws[first]!, 'u1'), watch(gws[second]!, 'u1', 'w-1'), h.eventsClient(gws[third]!, 'u1')];
    const otherSession = new RecordingConnection();
    gws[third]!.registry.register({
      clientId: 'elsewhere',
      userId: 'u1',
      sessionId: 'another-session',
      subscriptions: [Topics.userInbox('u1')],
      connectionType: 'websocket',
      connection: otherSession,
    });
    const someoneElse = h.eventsClient(gws[second]!, 'u2');
    await h.settled();

    const report = await gws[second]!.service.routeMessage({
      targetUserId: 'u1',
      targetSessionId: 'auth-session-of-u1',
      messageType: 'session_ended',
      payload: { reason: 'logout' },
      sourceService: 'auth',
      disconnect: true,
    });

    expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 3, instanceCount: 3, unreachable: [] } });
    for (const socket of mine) {
      expect(socket.ofType('session_ended')).toHaveLength(1);
      expect(socket.closedWith).toEqual({ reason: 'unauthenticated', detail: 'session_ended' });
    }
    expect(otherSession.closedWith).toBeUndefined();
    expect(someoneElse.closedWith).toBeUndefined();
  });

  it('broadcasts to the subscribers of a channel on every instance, minus the excluded', async () => {
    const watchers = [watch(gws[first]!, 'u1', 'w-1'), watch(gws[second]!, 'u2', 'w-2'), watch(gws[third]!, 'u3', 'w-3')];
    const excluded = watch(gws[third]!, 'u4', 'w-4');
    const notWatching = watch(gws[second]!, 'u1', 'w-5', 's2');
    await h.settled();

    const report = await gws[first]!.service.broadcastMessage({
      channel: Topics.simulation('s1'),
      messageType: 'simulation_stopped',
      payload: { by: 'u1' },
      sourceService: 'simulation',
      excludeClientIds: ['w-4'],
    });

    expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 3, instanceCount: 3, unreachable: [] } });
    for (const socket of watchers) expect(socket.ofType('simulation_stopped')).toHaveLength(1);
    expect(excluded.ofType('simulation_stopped')).toEqual([]);
    expect(notWatching.ofType('simulation_stopped')).toEqual([]);
  });

  it('names an instance that could not be asked and counts only what the others delivered', async () => {
    const reached = h.eventsClient(gws[first]!, 'u1');
    h.eventsClient(gws[second]!, 'u1');
    await h.settled();
    h.peers.down.add('gw-2');

    const report = await gws[first]!.service.broadcastMessage({ channel: '', messageType: 'notice', payload: null, sourceService: 'ops' });

    expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 1, instanceCount: 1, unreachable: ['gw-2'] } });
    expect(reached.ofType('notice')).toHaveLength(1);
    expect(gws[first]!.faults).toHaveLength(1);
  });

  it('lists and describes the clients of every instance, and unregisters one on the instance holding it', async () => {
    h.eventsClient(gws[first]!, 'u1', 'a');
    h.clock.advance(1);
    const onSecond = h.eventsClient(gws[second]!, 'u1', 'b');
    h.clock.advance(1);
    h.eventsClient(gws[third]!, 'u2', 'c');
    await h.settled();

    const page = await gws[third]!.service.connectedClients({ userId: 'u1' });
    expect(page).toMatchObject({
      ok: true,
      value: {
        totalCount: 2,
        clients: [
          { clientId: 'a', instanceId: 'gw-1' },
          { clientId: 'b', instanceId: 'gw-2' },
        ],
      },
    });
    expect(await gws[first]!.service.clientInfo('c')).toMatchObject({ ok: true, value: { userId: 'u2', instanceId: 'gw-3' } });

    expect(await gws[first]!.service.unregisterClient({ clientId: 'b' })).toEqual({ ok: true, value: undefined });
    expect(onSecond.closedWith).toEqual({ reason: 'finished', detail: 'unregistered' });
    await h.settled();
    expect(await gws[first]!.service.clientInfo('b')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });

  it('forgets the clients of an instance that stopped beating once their expiry passes, and asks it nothing', async () => {
    h.eventsClient(gws[first]!, 'u1');
    h.eventsClient(gws[second]!, 'u1');
    await h.settled();
    h.peers.down.add('gw-2'); // it died: no beat, no answer

    h.clock.advance(HARNESS_DIRECTORY_TTL_MS / 2);
    await gws[first]!.directorySync.beat();
    h.clock.advance(HARNESS_DIRECTORY_TTL_MS / 2);

    expect(await gws[third]!.service.connectedClients({})).toMatchObject({ ok: true, value: { totalCount: 1 } });
    const report = await gws[third]!.service.routeMessage({ targetUserId: 'u1', messageType: 'x', payload: 1, sourceService: 'auth' });
    expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 1, instanceCount: 2, unreachable: [] } });
  });
});
