import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import type { AuthorizationPort, PermissionDecision } from './authorization.js';
import { cachedAuthorization, PermissionCache } from './permission-cache.js';

/** An authority answering from a table it can change, counting the questions it was asked. */
const authority = (granted: Set<string>) => {
  const asked: string[] = [];
  let pending: (() => void) | undefined;
  let hold = false;
  const port: AuthorizationPort = {
    checkPermission: async (userId, permission, resourceId) => {
      const key = `${userId} ${permission} ${resourceId ?? ''}`.trim();
      asked.push(key);
      if (hold) await new Promise<void>((resolve) => (pending = resolve));
      const allowed = granted.has(key);
      return { allowed, reason: allowed ? `granted ${key}` : `denied ${key}` } satisfies PermissionDecision;
    },
  };
  return {
    port,
    asked,
    holdNext: () => void (hold = true),
    release: () => {
      hold = false;
      pending?.();
    },
  };
};

const setup = (
  settings = { maxEntries: 100, ttlMs: 30_000 },
  grants = ['u1 project:create', 'u2 project:create', 'u1 project:update r1'],
) => {
  const clock = new ManualClock(1_000);
  const cache = new PermissionCache(clock, settings);
  const granted = new Set(grants);
  const auth = authority(granted);
  return { clock, cache, granted, auth, check: cachedAuthorization(auth.port, cache) };
};

describe('PermissionCache with cachedAuthorization', () => {
  it('answers a repeated grant without asking auth, keyed by user, permission and resource', async () => {
    const { auth, check } = setup();
    expect(await check.checkPermission('u1', 'project:create')).toEqual({ allowed: true, reason: 'granted u1 project:create' });
    expect(await check.checkPermission('u1', 'project:create')).toEqual({ allowed: true, reason: 'granted u1 project:create' });
    await check.checkPermission('u2', 'project:create');
    await check.checkPermission('u1', 'project:update', 'r1');
    await check.checkPermission('u1', 'project:update', 'r1');
    await check.checkPermission('u1', 'project:update', 'r2');
    expect(auth.asked).toEqual(['u1 project:create', 'u2 project:create', 'u1 project:update r1', 'u1 project:update r2']);
  });

  it('never keeps a denial: auth is asked again, and a grant given since is seen at once', async () => {
    const { auth, check, granted } = setup();
    expect((await check.checkPermission('u3', 'project:create')).allowed).toBe(false);
    granted.add('u3 project:create');
    expect((await check.checkPermission('u3', 'project:create')).allowed).toBe(true);
    expect(auth.asked).toEqual(['u3 project:create', 'u3 project:create']);
  });

  it('asks auth again once a grant is older than the TTL', async () => {
    const { auth, check, clock } = setup({ maxEntries: 100, ttlMs: 5_000 });
    await check.checkPermission('u1', 'project:create');
    clock.advance(4_999);
    await check.checkPermission('u1', 'project:create');
    expect(auth.asked).toHaveLength(1);
    clock.advance(1);
    await check.checkPermission('u1', 'project:create');
    expect(auth.asked).toHaveLength(2);
  });

  it('keeps at most maxEntries grants, forgetting the least recently used', async () => {
    const { auth, check, cache } = setup({ maxEntries: 2, ttlMs: 30_000 });
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u2', 'project:create');
    await check.checkPermission('u1', 'project:create'); // u1 used last
    await check.checkPermission('u1', 'project:update', 'r1'); // u2 forgotten
    expect(cache.size).toBe(2);
    auth.asked.length = 0;
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u2', 'project:create');
    expect(auth.asked).toEqual(['u2 project:create']);
  });

  it('keeps nothing with maxEntries 0', async () => {
    const { auth, check } = setup({ maxEntries: 0, ttlMs: 30_000 });
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u1', 'project:create');
    expect(auth.asked).toHaveLength(2);
  });

  it("forgets every grant of the user a role or account event names, nobody else's; a login changes nothing", async () => {
    const { auth, check, cache } = setup();
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u1', 'project:update', 'r1');
    await check.checkPermission('u2', 'project:create');
    cache.apply({ type: 'login', user_id: 'u1', session_id: 's', timestamp: 1 });
    expect(cache.size).toBe(3);

    cache.apply({ type: 'permission_changed', user_id: 'u1', roles: ['user'], timestamp: 2 });
    auth.asked.length = 0;
    await check.checkPermission('u1', 'project:update', 'r1');
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u2', 'project:create');
    expect(auth.asked).toEqual(['u1 project:update r1', 'u1 project:create']);

    cache.apply({ type: 'logout', user_id: 'u2', reason: 'deactivated', timestamp: 3 });
    await check.checkPermission('u2', 'project:create');
    expect(auth.asked).toEqual(['u1 project:update r1', 'u1 project:create', 'u2 project:create']);
  });

  it("forgets on a grant change of one resource only the user's grants checked on it", async () => {
    const { auth, check, cache, granted } = setup(undefined, ['u1 project:create', 'u1 project:update r1', 'u1 project:update r2']);
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u1', 'project:update', 'r1');
    await check.checkPermission('u1', 'project:update', 'r2');
    granted.delete('u1 project:update r1');
    cache.apply({ type: 'permission_changed', user_id: 'u1', roles: ['user'], resource_id: 'r1', resource_role: null, timestamp: 1 });
    auth.asked.length = 0;
    expect((await check.checkPermission('u1', 'project:update', 'r1')).allowed).toBe(false);
    await check.checkPermission('u1', 'project:update', 'r2');
    await check.checkPermission('u1', 'project:create');
    expect(auth.asked).toEqual(['u1 project:update r1']);
  });

  it('forgets everything on an auth event that names no user', async () => {
    const { check, cache } = setup();
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u2', 'project:create');
    cache.apply({ type: 'roles_reset', timestamp: 1 });
    expect(cache.size).toBe(0);
  });

  it('does not keep a grant auth gave before an eviction concerning it that happened while it was on its way', async () => {
    const { auth, check, cache } = setup();
    for (const event of [
      { type: 'permission_changed', user_id: 'u1', roles: ['user'], timestamp: 1 },
      { type: 'logout', timestamp: 1 },
    ]) {
      auth.holdNext();
      const answer = check.checkPermission('u1', 'project:create');
      await Promise.resolve();
      cache.apply(event);
      auth.release();
      expect((await answer).allowed).toBe(true);
      expect(cache.size).toBe(0);
    }
  });

  it('keeps a grant on its way across an eviction that does not concern it (another user, or a resource it was not checked on)', async () => {
    const { auth, check, cache } = setup();
    auth.holdNext();
    const answer = check.checkPermission('u1', 'project:create');
    await Promise.resolve();
    cache.apply({ type: 'permission_changed', user_id: 'u2', roles: ['user'], timestamp: 1 });
    cache.apply({ type: 'permission_changed', user_id: 'u1', roles: ['user'], resource_id: 'r9', resource_role: 'owner', timestamp: 1 });
    auth.release();
    await answer;
    expect(cache.grant('u1', 'project:create')).toBe('granted u1 project:create');
  });

  it('does not keep a grant on its way across more evictions than it remembers (it cannot tell whether one concerned it)', async () => {
    const { auth, check, cache } = setup();
    auth.holdNext();
    const answer = check.checkPermission('u1', 'project:create');
    await Promise.resolve();
    for (let user = 0; user <= 10_000; user += 1) cache.evictUser(`other-${user}`);
    auth.release();
    await answer;
    expect(cache.size).toBe(0);
  });

  it('keeps nothing while the bus is suspended, and starts empty when it resumes', async () => {
    const { auth, check, cache } = setup();
    await check.checkPermission('u1', 'project:create');
    cache.suspend();
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u1', 'project:create');
    expect(auth.asked).toHaveLength(3);
    cache.resume();
    await check.checkPermission('u1', 'project:create');
    await check.checkPermission('u1', 'project:create');
    expect(auth.asked).toHaveLength(4);
  });

  it('keeps nothing when auth fails, and lets the failure through', async () => {
    const clock = new ManualClock(1_000);
    const cache = new PermissionCache(clock);
    const failing = cachedAuthorization(
      {
        checkPermission: () => Promise.reject(new Error('auth unavailable')),
      },
      cache,
    );
    await expect(failing.checkPermission('u1', 'project:create')).rejects.toThrow('auth unavailable');
    expect(cache.size).toBe(0);
  });
});
