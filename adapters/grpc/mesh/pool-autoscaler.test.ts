import { describe, expect, it } from 'vitest';
import { poolScalingConfig } from '../../../core/pool-scaling/config.js';
import type { PoolMetrics, ScaleTrigger } from '../../../core/pool-scaling/policy.js';
import { PoolAutoscaler, type AutoscaledPool } from './pool-autoscaler.js';

/** A pool whose metrics the test sets; it records what the autoscaler asked of it. */
class ScriptedPool implements AutoscaledPool {
  busy = true;
  grant = true;
  readonly ups: ScaleTrigger[] = [];
  downs = 0;
  current: PoolMetrics = {
    connections: 5,
    utilisation: 0.5,
    queueDepth: 0,
    requestsPerSecond: 10,
    averageLatencyMs: 1,
    windowCalls: 10,
    errorRate: 0,
    lastScaleActionAt: 0,
  };

  metrics(): PoolMetrics {
    return this.current;
  }

  isBusy(): boolean {
    return this.busy;
  }

  scaleUp(trigger: ScaleTrigger): { granted: boolean } {
    if (this.grant) this.ups.push(trigger);
    return { granted: this.grant };
  }

  scaleDown(): boolean {
    this.downs += 1;
    return true;
  }
}

const setup = () => {
  const clock = {
    t: 0,
    now() {
      return this.t;
    },
  };
  const pool = new ScriptedPool();
  return { clock, pool, autoscaler: new PoolAutoscaler(pool, poolScalingConfig(), clock) };
};

describe('PoolAutoscaler', () => {
  it('adds a connection when a trigger fires, naming it', () => {
    const { pool, autoscaler } = setup();
    pool.current = { ...pool.current, queueDepth: 20 };

    expect(autoscaler.checkScaleUp()).toEqual({ scale: true, trigger: 'queue_depth' });
    expect(pool.ups).toEqual(['queue_depth']);
  });

  it('does not evaluate an idle pool', () => {
    const { pool, autoscaler } = setup();
    pool.busy = false;
    pool.current = { ...pool.current, utilisation: 1 };

    expect(autoscaler.checkScaleUp()).toEqual({ scale: false, reason: 'idle' });
    expect(pool.ups).toEqual([]);
  });

  it('reports a scale-up the global scaler denied', () => {
    const { pool, autoscaler } = setup();
    pool.grant = false;
    pool.current = { ...pool.current, utilisation: 1 };

    expect(autoscaler.checkScaleUp()).toEqual({ scale: false, reason: 'denied' });
  });

  it('removes a connection from a quiet pool after the quiet period', () => {
    const { pool, autoscaler, clock } = setup();
    pool.current = { ...pool.current, connections: 8, utilisation: 0.1 };
    expect(autoscaler.checkScaleDown()).toEqual({ scale: false, reason: 'too_soon' });

    clock.t = 5 * 60_000 + 1;

    expect(autoscaler.checkScaleDown()).toEqual({ scale: true });
    expect(pool.downs).toBe(1);
  });

  it('runs both checks on timers once started, and stops them', async () => {
    const clock = {
      t: 0,
      now() {
        return this.t;
      },
    };
    const pool = new ScriptedPool();
    const config = poolScalingConfig({ cadence: { scaleUpCheckMs: 5, scaleDownCheckMs: 5 } });
    const autoscaler = new PoolAutoscaler(pool, config, clock);
    pool.current = { ...pool.current, utilisation: 1 };

    autoscaler.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    autoscaler.stop();
    const upsWhenStopped = pool.ups.length;
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(upsWhenStopped).toBeGreaterThan(0);
    expect(pool.ups.length).toBe(upsWhenStopped);
  });
});
