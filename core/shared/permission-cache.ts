import type { DomainEvent } from '../messaging/events.js';
import type { Clock } from './clock.js';
import type { AuthorizationPort, PermissionDecision } from './authorization.js';

export interface PermissionCacheSettings {
  /** Most grants kept; past it the least recently used is forgotten. 0: nothing is kept (auth asked on every call). */
  readonly maxEntries: number;
  /** How long a grant is kept at most, in case its invalidation was lost; expired, auth is asked again. */
  readonly ttlMs: number;
}

export const DEFAULT_PERMISSION_CACHE_SETTINGS: PermissionCacheSettings = { maxEntries: 10_000, ttlMs: 30_000 };

interface Entry {
  readonly userId: string;
  readonly resourceId: string;
  readonly reason: string;
  readonly until: number;
}

/** A point in the cache's history: a grant asked for before an eviction that concerns it must not be stored after it. */
export type PermissionCacheGeneration = number;

/** Evictions remembered per (user) and (user, resource) for answers still on their way; older ones count as "everything". */
const REMEMBERED_EVICTIONS = 10_000;

const keyOf = (userId: string, permission: string, resourceId: string): string => `${userId}\u0000${permission}\u0000${resourceId}`;
const scopeOf = (userId: string, resourceId?: string): string => (resourceId === undefined ? userId : `${userId}\u0000${resourceId}`);

/**
 * The grants auth gave, keyed by (user, permission, resource), kept where permissions are asked
 * (project, simulation) so a repeated check costs no call (docs/adr/0070). Auth stays the authority:
 * only grants are kept (a denial is asked again every time), each at most `ttlMs`, and what auth
 * announces a change of is forgotten: a user's role or account, all the user's grants; the user's
 * grant on one resource, the grants checked on that resource (a check without a resource is decided
 * by the roles alone). While the event bus is away (`suspend`) nothing is kept, since its events may be missed.
 */
export class PermissionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly keysOfUser = new Map<string, Set<string>>();
  /** Monotonic count of evictions; the last one of each scope (user, or user and resource). */
  private sequence = 0;
  private readonly evictedAt = new Map<string, number>();
  /** An answer asked for before this must not be stored: everything was evicted, or the eviction that concerned it is no longer remembered. */
  private floor = 0;
  private suspended = false;

  constructor(
    private readonly clock: Clock,
    private readonly settings: PermissionCacheSettings = DEFAULT_PERMISSION_CACHE_SETTINGS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached grant's reason, or undefined: not cached (never asked, expired, evicted, or a denial). */
  grant(userId: string, permission: string, resourceId?: string): string | undefined {
    const key = keyOf(userId, permission, resourceId ?? '');
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.clock.now()) {
      this.forget(key);
      return undefined;
    }
    // Most recently used last, so the bound forgets the least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.reason;
  }

  /** Take before asking auth; pass to `store` with the answer. */
  generation(): PermissionCacheGeneration {
    return this.sequence;
  }

  /**
   * Keeps a grant auth gave, unless what concerns it was evicted since `since` (the answer may
   * predate the change), the bus is away, or the cache holds nothing. Returns whether it was kept.
   */
  store(userId: string, permission: string, resourceId: string | undefined, reason: string, since: PermissionCacheGeneration): boolean {
    if (this.suspended || this.settings.maxEntries <= 0 || since < this.floor) return false;
    if ((this.evictedAt.get(scopeOf(userId)) ?? 0) > since) return false;
    if (resourceId !== undefined && (this.evictedAt.get(scopeOf(userId, resourceId)) ?? 0) > since) return false;
    const key = keyOf(userId, permission, resourceId ?? '');
    this.forget(key);
    this.entries.set(key, { userId, resourceId: resourceId ?? '', reason, until: this.clock.now() + this.settings.ttlMs });
    const keys = this.keysOfUser.get(userId) ?? new Set<string>();
    keys.add(key);
    this.keysOfUser.set(userId, keys);
    while (this.entries.size > this.settings.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    return true;
  }

  /** Forgets every grant of the user. */
  evictUser(userId: string): void {
    this.markEvicted(scopeOf(userId));
    for (const key of this.keysOfUser.get(userId) ?? []) this.entries.delete(key);
    this.keysOfUser.delete(userId);
  }

  /** Forgets the user's grants checked on one resource; those checked without a resource stand. */
  evictResource(userId: string, resourceId: string): void {
    this.markEvicted(scopeOf(userId, resourceId));
    for (const key of [...(this.keysOfUser.get(userId) ?? [])]) {
      if (this.entries.get(key)?.resourceId === resourceId) this.forget(key);
    }
  }

  clear(): void {
    this.sequence += 1;
    this.floor = this.sequence;
    this.evictedAt.clear();
    this.entries.clear();
    this.keysOfUser.clear();
  }

  /** The event bus is away: what it would have said may be lost, so nothing is kept until `resume`. */
  suspend(): void {
    this.suspended = true;
    this.clear();
  }

  /** The event bus is back (and resubscribed): grants are kept again, none from before. */
  resume(): void {
    this.suspended = false;
    this.clear();
  }

  /**
   * Applies an `auth:events:*` event: a login changes nothing; a `permission_changed` naming a
   * resource forgets the user's grants on it; any other event about a user (a role change, a
   * deactivation, a logout, a deletion, a type not known here) forgets all the user's grants; an
   * event naming no user forgets everything, to be safe.
   */
  apply(event: DomainEvent): void {
    if (event.type === 'login') return;
    const userId = event['user_id'];
    const resourceId = event['resource_id'];
    if (typeof userId !== 'string' || userId === '') return this.clear();
    if (event.type === 'permission_changed' && typeof resourceId === 'string' && resourceId !== '') {
      return this.evictResource(userId, resourceId);
    }
    this.evictUser(userId);
  }

  private markEvicted(scope: string): void {
    this.sequence += 1;
    this.evictedAt.delete(scope);
    this.evictedAt.set(scope, this.sequence);
    if (this.evictedAt.size > REMEMBERED_EVICTIONS) {
      const [oldest, at] = this.evictedAt.entries().next().value as [string, number];
      this.evictedAt.delete(oldest);
      this.floor = Math.max(this.floor, at);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const keys = this.keysOfUser.get(entry.userId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysOfUser.delete(entry.userId);
  }
}

/**
 * The AuthorizationPort of `authority` (auth's CheckPermission) with its grants kept in `cache`:
 * a cached grant answers at once, anything else is asked of auth; a denial or a fault is never kept.
 */
export const cachedAuthorization = (authority: AuthorizationPort, cache: PermissionCache): AuthorizationPort => ({
  checkPermission: async (userId, permission, resourceId): Promise<PermissionDecision> => {
    const reason = cache.grant(userId, permission, resourceId);
    if (reason !== undefined) return { allowed: true, reason };
    const since = cache.generation();
    const decision = await authority.checkPermission(userId, permission, resourceId);
    if (decision.allowed) cache.store(userId, permission, resourceId, decision.reason, since);
    return decision;
  },
});
