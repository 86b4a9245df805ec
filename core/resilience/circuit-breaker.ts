import type { Clock } from '../shared/clock.js';
import type { CallOutcome } from './call-outcome.js';
import { SlidingCounter } from './sliding-counter.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerConfig {
  /** Opens at or above this share of failed calls in the window. Spec: 0.5 (docs/specification.md#numbers). */
  readonly failureRateThreshold: number;
  /** Spec: 10 s. */
  readonly windowMs: number;
  /** Fewer calls than this in the window never open the breaker (one failure out of one is noise). */
  readonly minimumCalls: number;
  /** How long an open breaker rejects before letting one probe through. */
  readonly coolDownMs: number;
  /** A probe that has not reported after this long lets another probe go (the first was lost). */
  readonly probeTimeoutMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerConfig = {
  failureRateThreshold: 0.5,
  windowMs: 10_000,
  minimumCalls: 10,
  coolDownMs: 5_000,
  probeTimeoutMs: 5_000,
};

export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly calls: number;
  readonly failures: number;
  /** Times the breaker has opened (including re-opening after a failed probe). */
  readonly opened: number;
}

/**
 * A circuit breaker for one instance. Closed: counts outcomes over a sliding window and opens at
 * the failure threshold. Open: rejects until the cool-down has passed, then is half-open and lets
 * exactly one probe through; the probe's success closes it (with a fresh window), its failure
 * opens it again. Outcomes reported while open are ignored; while half-open, the first reported
 * outcome decides (a call started before the breaker opened may be it). Only `instance_failure`
 * counts as a failure: a `dependency_failure` is the instance answering, so it counts as a call
 * that went through and a probe answered with one closes the breaker (docs/adr/0044).
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private openedAt = 0;
  private probeSentAt: number | undefined;
  private opens = 0;
  private readonly calls: SlidingCounter;
  private readonly failures: SlidingCounter;

  constructor(
    private readonly clock: Clock,
    readonly config: CircuitBreakerConfig = DEFAULT_CIRCUIT_BREAKER,
  ) {
    this.calls = new SlidingCounter(config.windowMs);
    this.failures = new SlidingCounter(config.windowMs);
  }

  state(): BreakerState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.config.coolDownMs) {
      this.current = 'half_open';
      this.probeSentAt = undefined;
    }
    return this.current;
  }

  /** Whether a call could go now, without claiming the half-open probe. */
  canAttempt(): boolean {
    const state = this.state();
    return state === 'closed' || (state === 'half_open' && !this.probeInFlight());
  }

  /**
   * Claims permission for one call: always when closed, once per probe when half-open. `'probe'`:
   * this call is the half-open probe; should it end without being sent, `releaseProbe` it.
   */
  tryAcquire(): false | 'call' | 'probe' {
    if (!this.canAttempt()) return false;
    if (this.current !== 'half_open') return 'call';
    this.probeSentAt = this.clock.now();
    return 'probe';
  }

  /**
   * The probe claimed by `tryAcquire` never reached the instance (refused by its pool, no
   * connection, cancelled first): it says nothing about the instance, so the next call may probe
   * at once instead of every call being refused until `probeTimeoutMs`.
   */
  releaseProbe(): void {
    if (this.state() === 'half_open') this.probeSentAt = undefined;
  }

  record(outcome: CallOutcome): void {
    const state = this.state();
    if (outcome === 'cancelled') {
      if (state === 'half_open') this.probeSentAt = undefined;
      return;
    }
    const failed = outcome === 'instance_failure';
    if (state === 'half_open') {
      if (failed) this.open();
      else this.close();
      return;
    }
    if (state === 'open') return;
    const now = this.clock.now();
    this.calls.add(now);
    if (failed) this.failures.add(now);
    const calls = this.calls.sum(now);
    if (calls >= this.config.minimumCalls && this.failures.sum(now) / calls >= this.config.failureRateThreshold) this.open();
  }

  snapshot(): BreakerSnapshot {
    const now = this.clock.now();
    return { state: this.state(), calls: this.calls.sum(now), failures: this.failures.sum(now), opened: this.opens };
  }

  private probeInFlight(): boolean {
    return this.probeSentAt !== undefined && this.clock.now() - this.probeSentAt < this.config.probeTimeoutMs;
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.clock.now();
    this.probeSentAt = undefined;
    this.opens += 1;
  }

  private close(): void {
    this.current = 'closed';
    this.probeSentAt = undefined;
    this.calls.reset();
    this.failures.reset();
  }
}
