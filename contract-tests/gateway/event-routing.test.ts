import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import type { DomainEvent } from '../../core/messaging/events.js';
import { Topics } from '../../core/gateway/index.js';
import { createGatewayHarness, type GatewayHarness, type GatewayInstance } from './gateway-harness.js';
import { RecordingConnection } from './recording-connection.js';

const event = (type: string, fields: Record<string, unknown>): DomainEvent => ({ type, timestamp: 1_000, ...fields });

describe('routing pub/sub events to /events sockets', () => {
  let h: GatewayHarness;
  let gw: GatewayInstance;
  let ada: RecordingConnection;
  let bob: RecordingConnection;
  let eve: RecordingConnection;
  beforeEach(() => {
    h = createGatewayHarness();
    gw = h.instance();
    ada = h.eventsClient(gw, 'ada');
    bob = h.eventsClient(gw, 'bob');
    eve = h.eventsClient(gw, 'eve');
    h.projects.readers.set('p1', new Set(['ada', 'bob']));
  });
  afterEach(async () => {
    await h.close();
  });

  const events = (socket: RecordingConnection) => socket.ofType('event');

  it('sends system announcements to everyone', async () => {
    const report = await gw.router.route(EventChannels.systemAnnouncements, event('announcement', { text: 'hello' }));
    expect(report.clientCount).toBe(3);
    expect(events(eve)).toEqual([{ type: 'event', channel: 'system:announcements', event: event('announcement', { text: 'hello' }) }]);
  });

  it('sends an auth event only to the user it concerns', async () => {
    await gw.router.route(EventChannels.authLogin, event('login', { user_id: 'bob', session_id: 's-9' }));
    expect([events(ada), events(bob), events(eve)].map((list) => list.length)).toEqual([0, 1, 0]);
  });

  it('sends a project event to the users who may read the project, asking the project service once per user', async () => {
    await gw.router.route(
      EventChannels.projectUpdated,
      event('updated', { project_id: 'p1', user_id: 'ada', change: 'modified', changes: ['name'] }),
    );
    await gw.router.route(EventChannels.projectCreated, event('created', { project_id: 'p1', user_id: 'ada', name: 'x' }));

    expect([events(ada), events(bob), events(eve)].map((list) => list.length)).toEqual([2, 2, 0]);
    // The modification forgot what was known of p1; the creation was answered from what the first event learned.
    expect(h.projects.asked).toBe(2);
  });

  it('lets the target of a share see the share and what follows it', async () => {
    await gw.router.route(
      EventChannels.projectShared,
      event('shared', { project_id: 'p1', user_id: 'ada', target_user_id: 'eve', role: 'viewer' }),
    );
    expect(events(eve)).toHaveLength(1);

    h.projects.readers.get('p1')!.add('eve');
    await gw.router.route(EventChannels.simulationStarted, event('started', { project_id: 'p1', user_id: 'ada', simulation_id: 's1' }));
    expect(events(eve)).toHaveLength(2);
  });

  it('sends a deleted project to those who could read it before', async () => {
    await gw.router.route(EventChannels.projectCreated, event('created', { project_id: 'p1', user_id: 'ada', name: 'x' }));
    h.projects.readers.delete('p1');
    await gw.router.route(EventChannels.projectUpdated, event('updated', { project_id: 'p1', user_id: 'ada', change: 'deleted' }));
    expect(events(bob).map((message) => (message['event'] as DomainEvent).type)).toEqual(['created', 'updated']);
  });

  it('sends user notifications to that user as notifications', async () => {
    await gw.router.route('notifications:user:bob', event('mention', { text: 'hi' }));
    expect(bob.ofType('notification')).toEqual([
      { type: 'notification', channel: 'notifications:user:bob', notification: event('mention', { text: 'hi' }) },
    ]);
    expect(ada.ofType('notification')).toEqual([]);
  });

  it('relays simulation data to the simulation watchers', async () => {
    const watcher = new RecordingConnection();
    gw.registry.register({
      clientId: 'w',
      userId: 'ada',
      subscriptions: [Topics.simulation('s7')],
      connectionType: 'websocket',
      connection: watcher,
    });
    await gw.router.route('simulation:data:s7', event('metrics', { cpu: 1 }));
    expect(watcher.ofType('simulation_data')).toEqual([
      { type: 'simulation_data', simulation_id: 's7', data: event('metrics', { cpu: 1 }) },
    ]);
  });

  it('closes the sockets of a session that logged out', async () => {
    await gw.router.route(EventChannels.authLogout, event('logout', { user_id: 'ada', session_id: 'auth-session-of-ada' }));
    expect(events(ada)).toHaveLength(1);
    expect(ada.closedWith).toEqual({ reason: 'unauthenticated', detail: 'session logged out' });
    expect(bob.closedWith).toBeUndefined();
  });

  it('ends the watchers of a simulation that completed', async () => {
    h.simulations.add('s1', ['bob']);
    const watcher = new RecordingConnection();
    await gw.sessions.watchSimulation({ clientId: 'w1', identity: h.identity('bob'), simulationId: 's1', connection: watcher });

    await gw.router.route(
      EventChannels.simulationCompleted,
      event('completed', { simulation_id: 's1', project_id: 'p1', user_id: 'ada', status: 'completed' }),
    );

    expect(watcher.ofType('simulation_completed')).toEqual([{ type: 'simulation_completed', simulation_id: 's1', status: 'completed' }]);
    expect(watcher.closedWith?.reason).toBe('finished');
    expect(events(bob)).toHaveLength(1);
  });

  it('ignores channels it does not know', async () => {
    const report = await gw.router.route('billing:events:paid', event('paid', { user_id: 'ada' }));
    expect(report).toEqual({ delivered: false, clientCount: 0 });
  });
});
