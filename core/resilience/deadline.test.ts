import { describe, expect, it } from 'vitest';
import { callDeadline, defaultCallTimeoutMs, remainingMs } from './deadline.js';

describe('callDeadline', () => {
  it('is the own timeout when no request is being served', () => {
    expect(callDeadline(1_000, 2_000)).toBe(3_000);
  });

  it('is the time the served request has left when that is shorter', () => {
    expect(callDeadline(1_000, 2_000, 1_300)).toBe(1_300);
  });

  it('keeps the own timeout when the served request has more time', () => {
    expect(callDeadline(1_000, 2_000, 60_000)).toBe(3_000);
  });
});

describe('defaults', () => {
  it('gives auth 2 s, project 3 s, simulation 5 s, and 5 s to an unknown service', () => {
    expect(['auth', 'project', 'simulation', 'reports'].map(defaultCallTimeoutMs)).toEqual([2_000, 3_000, 5_000, 5_000]);
  });

  it('never reports negative time left', () => {
    expect(remainingMs(1_000, 1_500)).toBe(0);
    expect(remainingMs(1_000, 400)).toBe(600);
  });
});
