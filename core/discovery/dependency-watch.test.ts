import { describe, expect, it } from 'vitest';
import { DependencyHealth, watchDependencies, type DependencyProbe, type DependencyVerdict } from './dependency-watch.js';
import type { Ticker } from './ports.js';

/** A Ticker the test drives: `tick()` runs the task once and waits for it. */
const manualTicker = () => {
  let task: (() => void | Promise<void>) | undefined;
  const ticker: Ticker = {
    every: (_intervalMs, tick) => {
      task = tick;
      return { cancel: () => (task = undefined) };
    },
  };
  return { ticker, tick: async () => task?.(), active: () => task !== undefined };
};

/** A probe that fails with `failure` while it is set. */
const probe = (name: string) => {
  const state = { failure: undefined as string | undefined, calls: 0 };
  const dependency: DependencyProbe = {
    name,
    check: async () => {
      state.calls += 1;
      if (state.failure !== undefined) throw new Error(state.failure);
    },
  };
  return { dependency, state };
};

describe('DependencyHealth', () => {
  it('says unhealthy only after two failures in a row of one dependency, naming it', () => {
    const health = new DependencyHealth();

    health.record('database', { ok: false, reason: 'connection refused' });
    expect(health.verdict()).toEqual({ status: 'healthy' });
    health.record('database', { ok: false, reason: 'connection refused' });

    expect(health.verdict()).toEqual({ status: 'unhealthy', reason: 'database: connection refused' });
  });

  it('forgives a blip: a success between failures starts the count again', () => {
    const health = new DependencyHealth();

    health.record('redis', { ok: false, reason: 'timeout' });
    health.record('redis', { ok: true });
    health.record('redis', { ok: false, reason: 'timeout' });

    expect(health.verdict()).toEqual({ status: 'healthy' });
  });

  it('names every failing dependency, and is healthy again at the first success of each', () => {
    const health = new DependencyHealth(1);
    health.record('database', { ok: false, reason: 'refused' });
    health.record('redis', { ok: false, reason: 'timeout' });
    expect(health.verdict()).toEqual({ status: 'unhealthy', reason: 'database: refused; redis: timeout' });

    health.record('database', { ok: true });
    expect(health.verdict()).toEqual({ status: 'unhealthy', reason: 'redis: timeout' });
    health.record('redis', { ok: true });

    expect(health.verdict()).toEqual({ status: 'healthy' });
  });
});

describe('watchDependencies', () => {
  it('tells the verdict when it changes, not on every round', async () => {
    const { ticker, tick } = manualTicker();
    const database = probe('database');
    const verdicts: DependencyVerdict[] = [];
    watchDependencies([database.dependency], { ticker, intervalMs: 1_000, onVerdict: (verdict) => void verdicts.push(verdict) });

    await tick();
    database.state.failure = 'connection refused';
    await tick();
    await tick();
    await tick();
    database.state.failure = undefined;
    await tick();
    await tick();

    expect(verdicts).toEqual([{ status: 'unhealthy', reason: 'database: connection refused' }, { status: 'healthy' }]);
    expect(database.state.calls).toBe(6);
  });

  it('tells a verdict again when it could not be written', async () => {
    const { ticker, tick } = manualTicker();
    const redis = probe('redis');
    redis.state.failure = 'timeout';
    const errors: unknown[] = [];
    let writes = 0;
    watchDependencies([redis.dependency], {
      ticker,
      intervalMs: 1_000,
      failuresBeforeUnhealthy: 1,
      onVerdict: async () => {
        writes += 1;
        if (writes === 1) throw new Error('registry unavailable');
      },
      onError: (error) => errors.push(error),
    });

    await tick();
    await tick();
    await tick();

    expect(writes).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('stops probing when stopped, and does nothing without probes', async () => {
    const { ticker, tick, active } = manualTicker();
    const database = probe('database');
    const stop = watchDependencies([database.dependency], { ticker, intervalMs: 1_000, onVerdict: () => {} });
    await tick();
    stop();
    await tick();

    expect(database.state.calls).toBe(1);
    expect(active()).toBe(false);
    expect(() => watchDependencies([], { ticker, intervalMs: 1_000, onVerdict: () => {} })()).not.toThrow();
  });
});
