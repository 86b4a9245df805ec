import { describe, expect, it } from 'vitest';
import { ClientRegistry, type ClientRegistration } from './client-registry.js';
import type { ClientConnection } from './ports.js';

const clockAt = (start: number) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

const sequentialIds = () => {
  let next = 0;
  return { next: () => `session-${++next}` };
};

const idleConnection = (): ClientConnection => ({ send: () => 'accepted', close: () => {} });

const registration = (overrides: Partial<ClientRegistration> = {}): ClientRegistration => ({
  clientId: 'c1',
  userId: 'u1',
  subscriptions: ['events'],
  connectionType: 'http',
  ...overrides,
});

describe('ClientRegistry', () => {
  it('records a client with its session, subscriptions, times and instance', () => {
    const clock = clockAt(1_000);
    const registry = new ClientRegistry('gw-1', clock, sequentialIds());

    const registered = registry.register(registration({ subscriptions: ['a', 'b', 'a', ''] }));

    expect(registered).toEqual({
      ok: true,
      value: {
        clientId: 'c1',
        userId: 'u1',
        sessionId: 'session-1',
        subscriptions: ['a', 'b'],
        connectionType: 'http',
        connectedAt: 1_000,
        lastSeenAt: 1_000,
        instanceId: 'gw-1',
      },
    });
    expect(registry.get('c1')?.sessionId).toBe('session-1');
  });

  it('keeps a given session id', () => {
    const registry = new ClientRegistry('gw-1', clockAt(0), sequentialIds());
    const registered = registry.register(registration({ sessionId: 'auth-session' }));
    expect(registered.ok && registered.value.sessionId).toBe('auth-session');
  });

  it('updates subscriptions when the same owner registers the client again, keeping its session', () => {
    const clock = clockAt(0);
    const registry = new ClientRegistry('gw-1', clock, sequentialIds());
    registry.register(registration({ subscriptions: ['old'] }));
    clock.advance(500);

    const again = registry.register(registration({ subscriptions: ['new'] }));

    expect(again).toMatchObject({ ok: true, value: { sessionId: 'session-1', subscriptions: ['new'], connectedAt: 0, lastSeenAt: 500 } });
    expect(registry.subscribedTo('old')).toEqual([]);
    expect(registry.subscribedTo('new').map(({ client }) => client.clientId)).toEqual(['c1']);
  });

  it('refuses a client id already held by another user', () => {
    const registry = new ClientRegistry('gw-1', clockAt(0), sequentialIds());
    registry.register(registration());
    const taken = registry.register(registration({ userId: 'u2' }));
    expect(taken).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'client_id_taken' } });
  });

  it('refuses to re-register a client whose socket it holds', () => {
    const registry = new ClientRegistry('gw-1', clockAt(0), sequentialIds());
    registry.register(registration({ connection: idleConnection(), connectionType: 'websocket' }));
    const again = registry.register(registration({ connectionType: 'websocket' }));
    expect(again).toMatchObject({ ok: false, error: { kind: 'conflict' } });
  });

  it('finds clients by user, by topic and by session, and forgets them when unregistered', () => {
    const registry = new ClientRegistry('gw-1', clockAt(0), sequentialIds());
    registry.register(registration({ clientId: 'a', userId: 'u1', subscriptions: ['t1'], sessionId: 's1' }));
    registry.register(registration({ clientId: 'b', userId: 'u1', subscriptions: ['t2'], sessionId: 's2' }));
    registry.register(registration({ clientId: 'c', userId: 'u2', subscriptions: ['t1'], sessionId: 's1' }));

    expect(registry.ofUser('u1').map(({ client }) => client.clientId)).toEqual(['a', 'b']);
    expect(registry.subscribedTo('t1').map(({ client }) => client.clientId)).toEqual(['a', 'c']);
    expect(registry.usersSubscribedTo('t1')).toEqual(['u1', 'u2']);
    expect(registry.ofSession('s1').map(({ client }) => client.clientId)).toEqual(['a', 'c']);

    expect(registry.unregister('a').ok).toBe(true);
    expect(registry.ofUser('u1').map(({ client }) => client.clientId)).toEqual(['b']);
    expect(registry.subscribedTo('t1').map(({ client }) => client.clientId)).toEqual(['c']);
    expect(registry.size).toBe(2);
  });

  it('unregisters only with the client session when one is given', () => {
    const registry = new ClientRegistry('gw-1', clockAt(0), sequentialIds());
    registry.register(registration({ sessionId: 's1' }));

    expect(registry.unregister('c1', 's2')).toMatchObject({ ok: false, error: { code: 'session_mismatch' } });
    expect(registry.unregister('c1', 's1').ok).toBe(true);
    expect(registry.unregister('c1')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });

  it('moves last seen on a sign of life', () => {
    const clock = clockAt(0);
    const registry = new ClientRegistry('gw-1', clock, sequentialIds());
    registry.register(registration());
    clock.advance(2_000);

    registry.touch('c1');

    expect(registry.get('c1')).toMatchObject({ connectedAt: 0, lastSeenAt: 2_000 });
  });
});
