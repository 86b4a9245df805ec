import type { Clock } from '../shared/clock.js';

/** A token bucket: up to `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets by key (a user, an address). Memory is bounded: past `maxKeys` the least recently
 * used buckets are forgotten, which only ever gives a forgotten key a full bucket again.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0)) throw new RangeError('a rate limit needs burst >= 1 and perSecond > 0');
  }

  /** Takes one token for `key` if there is one; otherwise says how long until there is. */
  take(key: string): RateDecision {
    const now = this.clock.now();
    const bucket = this.refilled(key, now);
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.evict();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.limit.perSecond) * 1000) };
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.limit.burst, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    return { tokens: Math.min(this.limit.burst, bucket.tokens + elapsedSeconds * this.limit.perSecond), updatedAt: now };
  }

  private evict(): void {
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) return;
      this.buckets.delete(oldest);
    }
  }
}
