import type { Clock } from '../../core/shared/clock.js';

/** A clock that moves only when told to: for tests of expiry and timing rules. */
export class ManualClock implements Clock {
  private current: number;

  /** Starts at `start` epoch ms (default 2026-01-01T00:00:00Z, a fixed instant so tests repeat). */
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Jumps to `ms` since the epoch; setting an earlier time is allowed, to test clock skew. */
  set(ms: number): void {
    this.current = ms;
  }

  /** Moves forward by `ms`. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a ManualClock only advances forwards; use set() to go back');
    this.current += ms;
  }
}
