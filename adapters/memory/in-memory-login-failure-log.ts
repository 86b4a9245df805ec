import type { FailureWindow, LoginFailureLog } from '../../core/auth/ports.js';

interface KeyFailures {
  readonly times: number[];
  /** When the last failure ages out: the key is worth nothing after it. */
  readonly staleAt: number;
}

/**
 * Failed logins in memory: counted per log, so per auth instance (docs/adr/0022). Memory is
 * bounded: past `maxKeys` keys, the ones whose failures all aged out are dropped first, then the
 * ones with the oldest last failure.
 */
export class InMemoryLoginFailureLog implements LoginFailureLog {
  // Insertion order is the order of last failures: the first keys are the stalest.
  private readonly failures = new Map<string, KeyFailures>();

  constructor(private readonly maxKeys = 100_000) {}

  async record(key: string, at: number, window: FailureWindow): Promise<void> {
    const times = this.within(key, at, window);
    times.push(at);
    times.sort((a, b) => a - b);
    // Only the last `max` matter to a decision.
    if (times.length > window.max) times.splice(0, times.length - window.max);
    this.failures.delete(key);
    this.failures.set(key, { times, staleAt: (times[times.length - 1] ?? at) + window.windowMs });
    if (this.failures.size > this.maxKeys) this.evict(at);
  }

  async recent(key: string, now: number, window: FailureWindow): Promise<number[]> {
    return this.within(key, now, window).slice(-window.max);
  }

  async clear(key: string): Promise<void> {
    this.failures.delete(key);
  }

  private within(key: string, now: number, window: FailureWindow): number[] {
    const since = now - window.windowMs;
    return (this.failures.get(key)?.times ?? []).filter((at) => at > since);
  }

  private evict(now: number): void {
    for (const [key, { staleAt }] of this.failures) {
      if (staleAt <= now) this.failures.delete(key);
    }
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}
