import type { Clock } from '../../core/shared/clock.js';
import type { ScheduledTask, Scheduler } from '../../core/simulation/ports.js';

/** A clock tests can move (the system adapters' ManualClock fits). */
export interface AdvancingClock extends Clock {
  advance(ms: number): void;
}

interface Timer {
  readonly intervalMs: number;
  readonly tick: () => void | Promise<void>;
  nextAt: number;
}

/**
 * A Scheduler that fires only when a test moves time with `advance`: each due tick runs at its due
 * time (the clock is moved there first, to whole milliseconds) and is awaited before the next.
 */
export class ManualScheduler implements Scheduler {
  private readonly timers = new Set<Timer>();

  constructor(private readonly clock: AdvancingClock) {}

  every(intervalMs: number, tick: () => void | Promise<void>): ScheduledTask {
    if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
    const timer: Timer = { intervalMs, tick, nextAt: this.clock.now() + intervalMs };
    this.timers.add(timer);
    return { cancel: () => void this.timers.delete(timer) };
  }

  /** Timers not cancelled. */
  get active(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every tick that falls due on the way, in time order. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      const due = [...this.timers].filter((t) => Math.ceil(t.nextAt) <= end).sort((a, b) => a.nextAt - b.nextAt)[0];
      if (!due) break;
      this.moveTo(Math.ceil(due.nextAt));
      due.nextAt += due.intervalMs;
      await due.tick();
    }
    this.moveTo(end);
  }

  /** Advances in `stepMs` strides until no timer is left or `maxMs` has passed; returns the time it moved. */
  async runUntilIdle(maxMs: number, stepMs = 1_000): Promise<number> {
    let moved = 0;
    while (this.timers.size > 0 && moved < maxMs) {
      await this.advance(stepMs);
      moved += stepMs;
    }
    return moved;
  }

  private moveTo(time: number): void {
    const now = this.clock.now();
    if (time > now) this.clock.advance(time - now);
  }
}
