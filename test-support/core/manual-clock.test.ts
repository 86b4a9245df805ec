import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('stands still until told to move', () => {
    const clock = new ManualClock(1_000);

    expect(clock.now()).toBe(1_000);
    expect(clock.now()).toBe(1_000);
  });

  it('advances by a duration and jumps to an instant', () => {
    const clock = new ManualClock(1_000);

    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.set(200);
    expect(clock.now()).toBe(200);
  });

  it('refuses to advance backwards', () => {
    expect(() => new ManualClock().advance(-1)).toThrow(RangeError);
  });

  it('starts at a fixed instant by default, so tests repeat', () => {
    expect(new ManualClock().now()).toBe(Date.UTC(2026, 0, 1));
  });
});
