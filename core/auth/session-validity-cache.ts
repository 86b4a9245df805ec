import type { Clock } from '../shared/clock.js';
import type { DomainEvent, EventSubscriber, Subscription } from '../messaging/events.js';

export interface SessionValidityCacheOptions {
  /** Most sessions kept; past it the least recently stored are forgotten. Default 100 000. */
  readonly maxEntries?: number;
  /** How long a valid answer is kept at most, in case an event was lost (Redis away). Default 60 s. */
  readonly maxAgeMs?: number;
  /** How long an invalid answer is kept (a logged-out session stays out; a replayed token costs auth nothing). Default 10 s. */
  readonly invalidAgeMs?: number;
}

export type CachedValidity<T> = { readonly valid: true; readonly value: T } | { readonly valid: false };

interface Entry<T> {
  readonly userId: string | undefined;
  readonly validity: CachedValidity<T>;
  readonly until: number;
}

/** A point in the cache's history: an answer fetched since an eviction must not be stored. */
export type CacheGeneration = number;

/**
 * What auth last said about a session, kept where tokens are checked (the gateway), and forgotten
 * the moment auth announces a change: a logout or a reused refresh token (`session_id`), a role or
 * permission change, a deactivation or a deletion (`user_id`). An answer fetched while an eviction
 * happened is not stored, so a logout racing a ValidateToken cannot leave a stale "valid" behind.
 */
export class SessionValidityCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly sessionsOfUser = new Map<string, Set<string>>();
  private evictions = 0;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly invalidAgeMs: number;

  constructor(
    private readonly clock: Clock,
    options: SessionValidityCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.invalidAgeMs = options.invalidAgeMs ?? 10_000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(sessionId: string): CachedValidity<T> | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.until <= this.clock.now()) {
      this.forget(sessionId);
      return undefined;
    }
    return entry.validity;
  }

  /** Take before asking auth; pass to `store` with the answer. */
  generation(): CacheGeneration {
    return this.evictions;
  }

  /**
   * Keeps auth's answer about a session until `notAfter` (the token's expiry) or the cache's age
   * limit, unless something was evicted since `since`. Resolves whether it was stored.
   */
  store(sessionId: string, userId: string | undefined, validity: CachedValidity<T>, since: CacheGeneration, notAfter?: number): boolean {
    if (since !== this.evictions) return false;
    const now = this.clock.now();
    const age = validity.valid ? this.maxAgeMs : this.invalidAgeMs;
    this.forget(sessionId);
    this.entries.set(sessionId, { userId, validity, until: Math.min(now + age, notAfter ?? Number.POSITIVE_INFINITY) });
    if (userId !== undefined) {
      const sessions = this.sessionsOfUser.get(userId) ?? new Set<string>();
      sessions.add(sessionId);
      this.sessionsOfUser.set(userId, sessions);
    }
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    return true;
  }

  evictSession(sessionId: string): void {
    this.evictions += 1;
    this.forget(sessionId);
  }

  /** A session auth ended (logout, reuse): refused from now on without asking auth again. */
  markEnded(sessionId: string): void {
    this.evictSession(sessionId);
    this.entries.set(sessionId, { userId: undefined, validity: { valid: false }, until: this.clock.now() + this.maxAgeMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  evictUser(userId: string): void {
    this.evictions += 1;
    for (const sessionId of this.sessionsOfUser.get(userId) ?? []) this.forget(sessionId);
    this.sessionsOfUser.delete(userId);
  }

  clear(): void {
    this.evictions += 1;
    this.entries.clear();
    this.sessionsOfUser.clear();
  }

  /**
   * Applies an `auth:events:*` event: a logout marks its session ended; otherwise a `session_id`
   * evicts that session, a `user_id` every session
   * of the user (role, permission, account changes; unknown event types included, to be safe).
   * A login changes nothing already cached, nor does a grant on one resource (`permission_changed`
   * with a `resource_id`): what ValidateToken answers comes from the user's roles, not from grants,
   * and every project created grants its owner (docs/adr/0074).
   */
  apply(event: DomainEvent): void {
    if (event.type === 'login') return;
    if (event.type === 'permission_changed' && typeof event['resource_id'] === 'string' && event['resource_id'] !== '') return;
    const { session_id: sessionId, user_id: userId } = event as { session_id?: unknown; user_id?: unknown };
    if (event.type === 'logout' && typeof sessionId === 'string') return this.markEnded(sessionId);
    if (typeof sessionId === 'string') this.evictSession(sessionId);
    if (typeof userId === 'string') this.evictUser(userId);
  }

  private forget(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    if (entry.userId === undefined) return;
    const sessions = this.sessionsOfUser.get(entry.userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.sessionsOfUser.delete(entry.userId);
  }
}

/** Keeps the cache in step with auth's events on every instance that holds one. */
export const evictOnAuthEvents = <T>(events: EventSubscriber, cache: SessionValidityCache<T>): Promise<Subscription> =>
  events.subscribePattern('auth:events:*', (event) => cache.apply(event));
