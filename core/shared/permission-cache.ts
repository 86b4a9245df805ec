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
  readonly reason: string;
  readonly until: number;
}

/** A point in the cache's history: a grant asked for before an eviction must not be stored after it. */
export type PermissionCacheGeneration = number;

const keyOf = (userId: string, permission: string, resourceId: string | undefined): string =>
  `${userId}\u0000${permission}\u0000${resourceId ?? ''}`;

/**
 * The grants auth gave, keyed by (user, permission, resource), kept where permissions are asked
 * (project, simulation) so a repeated check costs no call (docs/adr/0070). Auth stays the authority:
 * only grants are kept (a denial is asked again every time), each at most `ttlMs`, and every grant of
 * a user is forgotten when auth announces a change about that user. While the event bus is away
 * (`suspend`) nothing is kept, since its events may be missed.
 */
export class PermissionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly keysOfUser = new Map<string, Set<string>>();
  private evictions = 0;
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
    const key = keyOf(userId, permission, resourceId);
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
    return this.evictions;
  }

  /**
   * Keeps a grant auth gave, unless something was evicted since `since` (the answer may predate
   * the change that evicted it), the bus is away, or the cache holds nothing. Returns whether it was kept.
   */
  store(userId: string, permission: string, resourceId: string | undefined, reason: string, since: PermissionCacheGeneration): boolean {
    if (since !== this.evictions || this.suspended || this.settings.maxEntries <= 0) return false;
    const key = keyOf(userId, permission, resourceId);
    this.forget(key);
    this.entries.set(key, { userId, reason, until: this.clock.now() + this.settings.ttlMs });
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
    this.evictions += 1;
    for (const key of this.keysOfUser.get(userId) ?? []) this.entries.delete(key);
    this.keysOfUser.delete(userId);
  }

  clear(): void {
    this.evictions += 1;
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
   * Applies an `auth:events:*` event: a login changes nothing; any other event about a user (a role
   * or grant change, a deactivation, a logout, a deletion, a type not known here) forgets that user's
   * grants; an event naming no user forgets everything, to be safe.
   */
  apply(event: DomainEvent): void {
    if (event.type === 'login') return;
    const userId = event['user_id'];
    if (typeof userId === 'string' && userId !== '') this.evictUser(userId);
    else this.clear();
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
