import { describe, expect, it } from 'vitest';
import type { CallOutcome } from './call-outcome.js';
import { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER } from './circuit-breaker.js';

const fakeClock = (start = 1_000_000) => ({
  t: start,
  now() {
    return this.t;
  },
});

const breakerWith = (overrides: Partial<typeof DEFAULT_CIRCUIT_BREAKER> = {}) => {
  const clock = fakeClock();
  const breaker = new CircuitBreaker(clock, { ...DEFAULT_CIRCUIT_BREAKER, ...overrides });
  const report = (outcome: CallOutcome, times = 1) => {
    for (let i = 0; i < times; i += 1) breaker.record(outcome);
  };
  return { clock, breaker, report };
};

/** A breaker that has just opened: 10 calls, 5 of them failures. */
const openedBreaker = () => {
  const subject = breakerWith();
  subject.report('success', 5);
  subject.report('instance_failure', 5);
  return subject;
};

describe('CircuitBreaker', () => {
  it('starts closed and lets calls through', () => {
    const { breaker } = breakerWith();

    expect(breaker.state()).toBe('closed');
    expect(breaker.tryAcquire()).toBe('call');
  });

  it('opens at 50% instance failures once the window holds the minimum of 10 calls', () => {
    const { breaker, report } = breakerWith();
    report('success', 5);
    report('instance_failure', 4);
    expect(breaker.state()).toBe('closed');

    report('instance_failure');

    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('stays closed below the minimum number of calls, even if all failed', () => {
    const { breaker, report } = breakerWith();

    report('instance_failure', 9);

    expect(breaker.state()).toBe('closed');
  });

  it('stays closed below 50% failures', () => {
    const { breaker, report } = breakerWith();

    report('success', 11);
    report('instance_failure', 10);

    expect(breaker.state()).toBe('closed');
  });

  it('does not count application errors (NOT_FOUND, INVALID_ARGUMENT) nor cancellations as failures', () => {
    const { breaker, report } = breakerWith();

    report('application_error', 20);
    report('cancelled', 20);
    report('instance_failure', 19);

    expect(breaker.state()).toBe('closed');
    expect(breaker.snapshot()).toMatchObject({ calls: 39, failures: 19 });
  });

  it('forgets failures older than the 10 s window', () => {
    const { breaker, report, clock } = breakerWith();
    report('instance_failure', 9);

    clock.t += 11_000;
    report('success', 9);
    report('instance_failure');

    expect(breaker.state()).toBe('closed');
  });

  it('lets exactly one probe through once the cool-down has passed', () => {
    const { breaker, clock } = openedBreaker();

    clock.t += 4_999;
    expect(breaker.state()).toBe('open');
    clock.t += 1;

    expect(breaker.state()).toBe('half_open');
    expect(breaker.canAttempt()).toBe(true);
    expect(breaker.tryAcquire()).toBe('probe');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.canAttempt()).toBe(false);
  });

  it('closes with a fresh window when the probe succeeds', () => {
    const { breaker, clock, report } = openedBreaker();
    clock.t += 5_000;
    breaker.tryAcquire();

    report('success');

    expect(breaker.state()).toBe('closed');
    expect(breaker.snapshot()).toMatchObject({ calls: 0, failures: 0 });
  });

  it('re-opens for another cool-down when the probe fails', () => {
    const { breaker, clock, report } = openedBreaker();
    clock.t += 5_000;
    breaker.tryAcquire();

    report('instance_failure');

    expect(breaker.state()).toBe('open');
    clock.t += 5_000;
    expect(breaker.state()).toBe('half_open');
    expect(breaker.snapshot().opened).toBe(2);
  });

  it('sends another probe when the first one was cancelled or never reported', () => {
    const { breaker, clock, report } = openedBreaker();
    clock.t += 5_000;
    breaker.tryAcquire();
    report('cancelled');
    expect(breaker.tryAcquire()).toBe('probe');

    clock.t += DEFAULT_CIRCUIT_BREAKER.probeTimeoutMs;

    expect(breaker.tryAcquire()).toBe('probe');
  });

  it('lets the next call probe at once when the probe was released unsent, and only then', () => {
    const { breaker, clock } = openedBreaker();
    clock.t += 5_000;
    expect(breaker.tryAcquire()).toBe('probe');
    expect(breaker.tryAcquire()).toBe(false);

    breaker.releaseProbe();

    expect(breaker.tryAcquire()).toBe('probe');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('ignores outcomes reported while open', () => {
    const { breaker, clock, report } = openedBreaker();

    report('success', 50);

    expect(breaker.state()).toBe('open');
    clock.t += 5_000;
    expect(breaker.state()).toBe('half_open');
  });

  it('follows a configured threshold, window and cool-down', () => {
    const { breaker, clock, report } = breakerWith({ failureRateThreshold: 0.2, minimumCalls: 5, coolDownMs: 100 });

    report('success', 4);
    report('instance_failure');
    expect(breaker.state()).toBe('open');
    clock.t += 100;
    expect(breaker.state()).toBe('half_open');
  });

  it('never opens on dependency failures: the instance answered that a dependency of its own is down (docs/adr/0044)', () => {
    const { breaker, report } = breakerWith();
    report('dependency_failure', 50);

    expect(breaker.state()).toBe('closed');
    expect(breaker.snapshot()).toMatchObject({ calls: 50, failures: 0, opened: 0 });
  });

  it('counts dependency failures as calls that went through, diluting instance failures', () => {
    const { breaker, report } = breakerWith();
    report('dependency_failure', 6);
    report('instance_failure', 5);

    expect(breaker.state()).toBe('closed');
  });

  it('closes when the half-open probe is answered with a dependency failure: the instance is reachable', () => {
    const { breaker, clock, report } = openedBreaker();
    clock.t += DEFAULT_CIRCUIT_BREAKER.coolDownMs;
    expect(breaker.tryAcquire()).toBe('probe');

    report('dependency_failure');

    expect(breaker.state()).toBe('closed');
  });
});
