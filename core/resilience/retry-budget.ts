import type { Clock } from '../shared/clock.js';
import { SlidingCounter } from './sliding-counter.js';

export interface RetryBudgetConfig {
  /** Retries allowed as a share of the calls made in the window (Finagle's default is 0.2). */
  readonly ratio: number;
  /** Retries always allowed per second of window, so a quiet client can still retry. */
  readonly minRetriesPerSecond: number;
  readonly windowMs: number;
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetConfig = { ratio: 0.2, minRetriesPerSecond: 2, windowMs: 10_000 };

export interface RetryBudgetSnapshot {
  readonly requests: number;
  readonly retries: number;
  /** Retries refused since the budget was made. */
  readonly denied: number;
}

/**
 * Caps retries at `ratio` of recent calls plus a small floor (a token bucket that calls fill and
 * retries drain, over a sliding window), so that when a service fails, its callers add at most a
 * fifth more load instead of multiplying it by their attempt count.
 */
export class RetryBudget {
  private readonly requests: SlidingCounter;
  private readonly retries: SlidingCounter;
  private denied = 0;

  constructor(
    private readonly clock: Clock,
    readonly config: RetryBudgetConfig = DEFAULT_RETRY_BUDGET,
  ) {
    this.requests = new SlidingCounter(config.windowMs);
    this.retries = new SlidingCounter(config.windowMs);
  }

  /** Counts one original call (not a retry). */
  recordRequest(): void {
    this.requests.add(this.clock.now());
  }

  /** Takes one retry from the budget if there is one left; counts a refusal otherwise. */
  tryRetry(): boolean {
    const now = this.clock.now();
    const floor = (this.config.minRetriesPerSecond * this.config.windowMs) / 1000;
    const allowed = floor + this.config.ratio * this.requests.sum(now);
    if (this.retries.sum(now) + 1 > allowed) {
      this.denied += 1;
      return false;
    }
    this.retries.add(now);
    return true;
  }

  snapshot(): RetryBudgetSnapshot {
    const now = this.clock.now();
    return { requests: this.requests.sum(now), retries: this.retries.sum(now), denied: this.denied };
  }
}
