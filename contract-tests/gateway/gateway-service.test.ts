import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Topics } from '../../core/gateway/index.js';
import { createGatewayHarness, type GatewayHarness, type GatewayInstance } from './gateway-harness.js';
import { RecordingConnection } from './recording-connection.js';

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
    it('registers a session for another service and describes it', () => {
      const registered = gw.service.registerClient({ clientId: 'c1', userId: 'u1', subscriptions: ['events'], connectionType: 'http' });

      expect(registered).toMatchObject({ ok: true, value: { clientId: 'c1', userId: 'u1', instanceId: 'gw-a', connectionType: 'http' } });
      const info = gw.service.clientInfo('c1');
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

    it('unregisters a client, closing the socket it holds, and then knows it no more', () => {
      const socket = h.eventsClient(gw, 'u1', 'ws-1');

      expect(gw.service.unregisterClient({ clientId: 'ws-1' }).ok).toBe(true);

      expect(socket.closedWith).toEqual({ reason: 'finished', detail: 'unregistered' });
      expect(gw.service.clientInfo('ws-1')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
      expect(gw.service.unregisterClient({ clientId: 'ws-1' })).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    });
  });

  describe('routeMessage', () => {
    it('delivers to every socket of the user on this instance as {type, source_service, payload}', () => {
      const first = h.eventsClient(gw, 'u1');
      const second = h.eventsClient(gw, 'u1');
      const other = h.eventsClient(gw, 'u2');

      const report = gw.service.routeMessage({
        targetUserId: 'u1',
        messageType: 'invite',
        payload: { project: 'p1' },
        sourceService: 'project',
      });

      expect(report).toEqual({ ok: true, value: { delivered: true, clientCount: 2 } });
      for (const socket of [first, second]) {
        expect(socket.ofType('invite')).toEqual([{ type: 'invite', source_service: 'project', payload: { project: 'p1' } }]);
      }
      expect(other.ofType('invite')).toEqual([]);
    });

    it('reports nothing delivered for a user without sockets here, including sessions registered without one', () => {
      gw.service.registerClient({ clientId: 'http-1', userId: 'u1', subscriptions: [Topics.userInbox('u1')], connectionType: 'http' });
      const report = gw.service.routeMessage({ targetUserId: 'u1', messageType: 'invite', payload: null, sourceService: 'project' });
      expect(report).toEqual({ ok: true, value: { delivered: false, clientCount: 0 } });
    });

    it('does not count a closed socket', () => {
      const socket = h.eventsClient(gw, 'u1');
      socket.close('finished');
      expect(gw.service.routeMessage({ targetUserId: 'u1', messageType: 'x', payload: 1, sourceService: 's' })).toEqual({
        ok: true,
        value: { delivered: false, clientCount: 0 },
      });
    });

    it('refuses a message without a type or a target', () => {
      expect(gw.service.routeMessage({ targetUserId: 'u1', messageType: '', payload: 1, sourceService: 's' }).ok).toBe(false);
      expect(gw.service.routeMessage({ targetUserId: '', messageType: 'x', payload: 1, sourceService: 's' }).ok).toBe(false);
    });
  });

  describe('broadcastMessage', () => {
    it('delivers to every socket, or only to subscribers of a channel, minus the excluded', () => {
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

      const everyone = gw.service.broadcastMessage({ channel: '', messageType: 'maintenance', payload: 'soon', sourceService: 'ops' });
      const eventsOnly = gw.service.broadcastMessage({
        channel: Topics.events,
        messageType: 'hello',
        payload: {},
        sourceService: 'ops',
        excludeClientIds: ['b'],
      });

      expect(everyone).toEqual({ ok: true, value: { delivered: true, clientCount: 3 } });
      expect(eventsOnly).toEqual({ ok: true, value: { delivered: true, clientCount: 1 } });
      expect(a.ofType('hello')).toHaveLength(1);
      expect(b.ofType('hello')).toHaveLength(0);
      expect(watcher.ofType('maintenance')).toHaveLength(1);
    });
  });

  describe('connectedClients', () => {
    it('lists the clients of this instance, filtered and paged', () => {
      h.eventsClient(gw, 'u1', 'a');
      h.clock.advance(1);
      h.eventsClient(gw, 'u2', 'b');
      h.clock.advance(1);
      h.eventsClient(gw, 'u1', 'c');

      const page = gw.service.connectedClients({ userId: 'u1', pageSize: 1 });
      expect(page).toMatchObject({ ok: true, value: { totalCount: 2, clients: [{ clientId: 'a', instanceId: 'gw-a' }] } });
      const next = page.ok ? gw.service.connectedClients({ userId: 'u1', pageSize: 1, pageToken: page.value.nextPageToken }) : page;
      expect(next).toMatchObject({ ok: true, value: { clients: [{ clientId: 'c' }], nextPageToken: '' } });
    });
  });
});
