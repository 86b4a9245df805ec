import { describe, expect, it } from 'vitest';
import type { Clock } from '../shared/clock.js';
import { SessionValidityCache } from './session-validity-cache.js';

const manualClock = () => {
  let now = 1_000_000;
  const clock: Clock = { now: () => now };
  return { clock, advance: (ms: number) => void (now += ms) };
};

const valid = { valid: true as const, value: 'identity' };

describe('SessionValidityCache', () => {
  it('keeps a valid answer until its age limit or the token expiry, whichever is first', () => {
    const { clock, advance } = manualClock();
    const cache = new SessionValidityCache<string>(clock, { maxAgeMs: 60_000 });
    cache.store('s1', 'u1', valid, cache.generation());
    cache.store('s2', 'u1', valid, cache.generation(), clock.now() + 5_000);

    advance(5_000);
    expect(cache.get('s1')).toEqual(valid);
    expect(cache.get('s2')).toBeUndefined();
    advance(55_000);
    expect(cache.get('s1')).toBeUndefined();
  });

  it('forgets a session on its logout event, and every session of a user on a permission change', () => {
    const { clock } = manualClock();
    const cache = new SessionValidityCache<string>(clock);
    for (const [session, user] of [
      ['s1', 'u1'],
      ['s2', 'u1'],
      ['s3', 'u2'],
    ] as const)
      cache.store(session, user, valid, cache.generation());

    cache.apply({ type: 'logout', user_id: 'u2', session_id: 's3', timestamp: 1 });
    expect([cache.get('s1'), cache.get('s3')]).toEqual([valid, { valid: false }]);

    cache.apply({ type: 'permission_changed', user_id: 'u1', roles: ['user'], timestamp: 2 });
    expect([cache.get('s1'), cache.get('s2')]).toEqual([undefined, undefined]);
  });

  it('keeps the sessions of a user granted a role on one resource: ValidateToken answers from roles', () => {
    const { clock } = manualClock();
    const cache = new SessionValidityCache<string>(clock);
    cache.store('s1', 'u1', valid, cache.generation());

    const since = cache.generation();
    cache.apply({ type: 'permission_changed', user_id: 'u1', roles: ['user'], resource_id: 'p1', resource_role: 'owner', timestamp: 1 });
    cache.apply({ type: 'permission_changed', user_id: 'u1', roles: ['user'], resource_id: 'p1', resource_role: null, timestamp: 2 });
    expect(cache.get('s1')).toEqual(valid);
    expect(cache.store('s2', 'u1', valid, since)).toBe(true);

    cache.apply({ type: 'permission_changed', user_id: 'u1', roles: ['admin'], resource_id: '', timestamp: 3 });
    expect(cache.get('s1')).toBeUndefined();
  });

  it('ignores logins and treats unknown events with a user as a change of that user', () => {
    const { clock } = manualClock();
    const cache = new SessionValidityCache<string>(clock);
    cache.store('s1', 'u1', valid, cache.generation());

    cache.apply({ type: 'login', user_id: 'u1', session_id: 's9', timestamp: 1 });
    expect(cache.get('s1')).toEqual(valid);
    cache.apply({ type: 'user_deleted', user_id: 'u1', timestamp: 2 });
    expect(cache.get('s1')).toBeUndefined();
  });

  it('does not store an answer fetched while an eviction happened (a logout racing a validation)', () => {
    const { clock } = manualClock();
    const cache = new SessionValidityCache<string>(clock);
    const before = cache.generation();

    cache.evictSession('s1');

    expect(cache.store('s1', 'u1', valid, before)).toBe(false);
    expect(cache.get('s1')).toBeUndefined();
  });

  it('keeps an invalid answer briefly, and stays within its size bound', () => {
    const { clock, advance } = manualClock();
    const cache = new SessionValidityCache<string>(clock, { invalidAgeMs: 1_000, maxEntries: 2 });
    cache.store('gone', undefined, { valid: false }, cache.generation());
    expect(cache.get('gone')).toEqual({ valid: false });
    advance(1_000);
    expect(cache.get('gone')).toBeUndefined();

    for (const session of ['a', 'b', 'c']) cache.store(session, 'u', valid, cache.generation());
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
  });
});
