import { randomUUID } from 'node:crypto';
import type { AttemptReservation, FailureWindow, LoginFailureLog } from '../../core/auth/ports.js';

interface Failure {
  readonly at: number;
  readonly id: string;
}

interface KeyFailures {
  readonly failures: Failure[];
  /** When the last failure ages out: the key is worth nothing after it. */
  readonly staleAt: number;
}

/**
 * Failed logins in memory: counted per log, so per auth instance (docs/adr/0022). Memory is
 * bounded: past `maxKeys` keys, the ones whose failures all aged out are dropped first, then the
 * ones with the oldest last failure. Every method runs without awaiting, so a reservation's check
 * and record are one step on the event loop (docs/adr/0035).
 */
export class InMemoryLoginFailureLog implements LoginFailureLog {
  // Insertion order is the order of last failures: the first keys are the stalest.
  private readonly keys = new Map<string, KeyFailures>();

  constructor(private readonly maxKeys = 100_000) {}

  async record(key: string, at: number, window: FailureWindow): Promise<void> {
    this.add(key, { at, id: randomUUID() }, window);
  }

  async reserve(key: string, at: number, window: FailureWindow): Promise<AttemptReservation> {
    const counting = this.within(key, at, window);
    if (counting.length >= window.max) {
      const oldest = counting[counting.length - window.max]?.at ?? at;
      return { granted: false, retryAt: oldest + window.windowMs };
    }
    const id = randomUUID();
    this.add(key, { at, id }, window);
    return { granted: true, id };
  }

  async release(key: string, id: string): Promise<void> {
    const entry = this.keys.get(key);
    if (!entry) return;
    const index = entry.failures.findIndex((failure) => failure.id === id);
    if (index >= 0) entry.failures.splice(index, 1);
  }

  async recent(key: string, now: number, window: FailureWindow): Promise<number[]> {
    return this.within(key, now, window)
      .slice(-window.max)
      .map((failure) => failure.at);
  }

  async clear(key: string): Promise<void> {
    this.keys.delete(key);
  }

  private add(key: string, failure: Failure, window: FailureWindow): void {
    const failures = this.within(key, failure.at, window);
    failures.push(failure);
    failures.sort((a, b) => a.at - b.at);
    // Only the last `max` matter to a decision.
    if (failures.length > window.max) failures.splice(0, failures.length - window.max);
    this.keys.delete(key);
    this.keys.set(key, { failures, staleAt: (failures[failures.length - 1]?.at ?? failure.at) + window.windowMs });
    if (this.keys.size > this.maxKeys) this.evict(failure.at);
  }

  private within(key: string, now: number, window: FailureWindow): Failure[] {
    const since = now - window.windowMs;
    return (this.keys.get(key)?.failures ?? []).filter((failure) => failure.at > since);
  }

  private evict(now: number): void {
    for (const [key, { staleAt }] of this.keys) {
      if (staleAt <= now) this.keys.delete(key);
    }
    for (const key of this.keys.keys()) {
      if (this.keys.size <= this.maxKeys) break;
      this.keys.delete(key);
    }
  }
}
