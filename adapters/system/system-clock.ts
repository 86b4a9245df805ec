import type { Clock } from '../../core/shared/clock.js';

/** Wall-clock time that never steps backwards within the process (a system clock correction is absorbed). */
export class SystemClock implements Clock {
  private last = 0;

  now(): number {
    this.last = Math.max(this.last, Date.now());
    return this.last;
  }
}
