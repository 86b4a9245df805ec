import type { Clock } from '../shared/clock.js';

/** At most `max` failed logins within any `windowMs`. */
export interface FailureLimit {
  readonly max: number;
  readonly windowMs: number;
}

export type ThrottleDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * Failed logins counted in a sliding window (a log of failure times per key), per account and per
 * client address. A key over its limit is refused until its oldest failure in the window ages out.
 * Memory is bounded: past `maxKeys` keys, the ones whose failures all aged out are dropped first,
 * then the oldest. Counts live in this process (docs/adr/0022).
 */
export class SlidingWindowThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: FailureLimit,
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {
    if (!(limit.max >= 1) || !(limit.windowMs > 0)) throw new RangeError('a failure limit needs max >= 1 and windowMs > 0');
  }

  /** Whether `key` may try now; when not, how long until it may. Counts nothing. */
  check(key: string): ThrottleDecision {
    const recent = this.recent(key);
    if (recent.length < this.limit.max) return { allowed: true };
    const oldest = recent[recent.length - this.limit.max] ?? this.clock.now();
    return { allowed: false, retryAfterMs: Math.max(1, oldest + this.limit.windowMs - this.clock.now()) };
  }

  /** Counts one failure of `key` now. */
  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.clock.now());
    // Only the last `max` matter to the decision.
    if (recent.length > this.limit.max) recent.splice(0, recent.length - this.limit.max);
    this.failures.delete(key);
    this.failures.set(key, recent);
    if (this.failures.size > this.maxKeys) this.evict();
  }

  /** Forgets the failures of `key` (an account after a successful login). */
  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - this.limit.windowMs;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }

  private evict(): void {
    const since = this.clock.now() - this.limit.windowMs;
    for (const [key, times] of this.failures) {
      if ((times[times.length - 1] ?? 0) <= since) this.failures.delete(key);
    }
    // Insertion order is recency of the last failure: the first keys are the stalest.
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}

export interface LoginThrottleLimits {
  readonly perAccount: FailureLimit;
  readonly perAddress: FailureLimit;
}

/** 10 failed logins per account and 30 per address in 15 minutes. */
export const defaultLoginThrottleLimits: LoginThrottleLimits = {
  perAccount: { max: 10, windowMs: 15 * 60_000 },
  perAddress: { max: 30, windowMs: 15 * 60_000 },
};

/** Failed logins per account (the normalised email, known or not) and per client address. */
export class LoginThrottle {
  private readonly accounts: SlidingWindowThrottle;
  private readonly addresses: SlidingWindowThrottle;

  constructor(limits: LoginThrottleLimits, clock: Clock) {
    this.accounts = new SlidingWindowThrottle(limits.perAccount, clock);
    this.addresses = new SlidingWindowThrottle(limits.perAddress, clock);
  }

  check(email: string, address: string | undefined): ThrottleDecision {
    const account = this.accounts.check(email);
    const from = address === undefined ? { allowed: true as const } : this.addresses.check(address);
    if (account.allowed && from.allowed) return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(account.allowed ? 0 : account.retryAfterMs, from.allowed ? 0 : from.retryAfterMs) };
  }

  failed(email: string, address: string | undefined): void {
    this.accounts.fail(email);
    if (address !== undefined) this.addresses.fail(address);
  }

  succeeded(email: string): void {
    this.accounts.clear(email);
  }
}
