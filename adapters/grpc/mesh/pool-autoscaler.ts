import type { PoolScalingConfig } from '../../../core/pool-scaling/config.js';
import {
  decideScaleDown,
  decideScaleUp,
  type PoolMetrics,
  type ScaleDownDecision,
  type ScaleTrigger,
  type ScaleUpDecision,
} from '../../../core/pool-scaling/policy.js';
import type { Clock } from '../../../core/shared/clock.js';

/** What the autoscaler drives: a pool that reports its metrics and grows or shrinks by one. */
export interface AutoscaledPool {
  metrics(): PoolMetrics;
  isBusy(): boolean;
  /** Adds a connection if the global scaler grants one. */
  scaleUp(trigger: ScaleTrigger): { granted: boolean };
  scaleDown(): boolean;
}

export type ScaleUpCheck = ScaleUpDecision | { readonly scale: false; readonly reason: 'idle' | 'denied' };

/**
 * Runs the scaling policy on a pool at the configured cadence: the scale-up check every
 * `scaleUpCheckMs` (50 ms by default, so a burst is acted on well within 100 ms) but only while
 * the pool has work, the scale-down check every `scaleDownCheckMs` (30 s). Timers do not keep the
 * process alive.
 */
export class PoolAutoscaler {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly pool: AutoscaledPool,
    private readonly config: PoolScalingConfig,
    private readonly clock: Clock,
  ) {}

  start(): void {
    if (this.timers.length > 0) return;
    this.timers = [
      setInterval(() => this.checkScaleUp(), this.config.cadence.scaleUpCheckMs),
      setInterval(() => this.checkScaleDown(), this.config.cadence.scaleDownCheckMs),
    ];
    for (const timer of this.timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  checkScaleUp(): ScaleUpCheck {
    if (!this.pool.isBusy()) return { scale: false, reason: 'idle' };
    const decision = decideScaleUp(this.pool.metrics(), this.config);
    if (!decision.scale) return decision;
    return this.pool.scaleUp(decision.trigger).granted ? decision : { scale: false, reason: 'denied' };
  }

  checkScaleDown(): ScaleDownDecision {
    const decision = decideScaleDown(this.pool.metrics(), this.clock.now(), this.config);
    if (decision.scale) this.pool.scaleDown();
    return decision;
  }
}
