import type { Clock } from '../shared/clock.js';
import type { FailureWindow, LoginFailureLog } from './ports.js';

/** At most `max` failed logins within any `windowMs`. */
export type FailureLimit = FailureWindow;

export type ThrottleDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** A reserved attempt of one key: counted as a failure unless released. */
export type KeyReservation = { readonly allowed: true; readonly id: string } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * Attempts counted in a sliding window (the attempt times of a key in a `LoginFailureLog`). An
 * attempt is reserved before the work it guards (a password check) and counts as a failure unless
 * released, so concurrent attempts cannot all pass one check (docs/adr/0035). A key at its limit is
 * refused until its oldest attempt in the window ages out. The counts are as shared as the log is:
 * one process (in memory) or every auth instance (Redis).
 */
export class SlidingWindowThrottle {
  constructor(
    private readonly limit: FailureLimit,
    private readonly log: LoginFailureLog,
    private readonly clock: Clock,
    /** Keeps the keys of two throttles on one log apart. */
    private readonly prefix = '',
  ) {
    if (!(limit.max >= 1) || !(limit.windowMs > 0)) throw new RangeError('a failure limit needs max >= 1 and windowMs > 0');
  }

  /** Reserves one attempt of `key` now, or says how long until it may try. */
  async reserve(key: string): Promise<KeyReservation> {
    const now = this.clock.now();
    const reservation = await this.log.reserve(this.prefix + key, now, this.limit);
    return reservation.granted
      ? { allowed: true, id: reservation.id }
      : { allowed: false, retryAfterMs: Math.max(1, reservation.retryAt - now) };
  }

  /** Takes back a reserved attempt: it no longer counts. */
  release(key: string, id: string): Promise<void> {
    return this.log.release(this.prefix + key, id);
  }

  /** Forgets the attempts of `key` (an account after a successful login). */
  clear(key: string): Promise<void> {
    return this.log.clear(this.prefix + key);
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

/** A login attempt that passed the throttle: it counts as failed unless `succeeded` is called. */
export interface LoginAttempt {
  /** The password matched: the account's attempts are forgotten and this one no longer counts for the address. */
  succeeded(): Promise<void>;
  /** The check could not run (a fault, a busy hasher): the attempt no longer counts anywhere. */
  abandon(): Promise<void>;
}

export type LoginAdmission = ({ readonly allowed: true } & LoginAttempt) | { readonly allowed: false; readonly retryAfterMs: number };

/** Failed logins per account (the normalised email, known or not) and per client address. */
export class LoginThrottle {
  private readonly accounts: SlidingWindowThrottle;
  private readonly addresses: SlidingWindowThrottle;

  constructor(limits: LoginThrottleLimits, log: LoginFailureLog, clock: Clock) {
    this.accounts = new SlidingWindowThrottle(limits.perAccount, log, clock, 'account:');
    this.addresses = new SlidingWindowThrottle(limits.perAddress, log, clock, 'address:');
  }

  /**
   * Reserves an attempt on the account and on the address, before the password is checked. When
   * either refuses, the other's reservation is taken back and the login is refused.
   */
  async admit(email: string, address: string | undefined): Promise<LoginAdmission> {
    const [account, from] = await Promise.all([
      this.accounts.reserve(email),
      address === undefined ? undefined : this.addresses.reserve(address),
    ]);
    const releaseAddress = async () => {
      if (address !== undefined && from?.allowed) await this.addresses.release(address, from.id);
    };
    if (account.allowed && (from === undefined || from.allowed)) {
      return {
        allowed: true,
        succeeded: async () => {
          await Promise.all([this.accounts.clear(email), releaseAddress()]);
        },
        abandon: async () => {
          await Promise.all([this.accounts.release(email, account.id), releaseAddress()]);
        },
      };
    }
    await Promise.all([account.allowed ? this.accounts.release(email, account.id) : undefined, releaseAddress()]);
    const waits = [account, from].map((decision) => (decision && !decision.allowed ? decision.retryAfterMs : 0));
    return { allowed: false, retryAfterMs: Math.max(...waits) };
  }
}
