import type { PoolScalingConfig } from './config.js';

/** What one pool looks like at one instant: the input of the scaling rules. */
export interface PoolMetrics {
  /** Open connections (not counting those being closed). */
  readonly connections: number;
  /** 0..1: how much of the pool's connections are serving calls (see `computePoolMetrics`). */
  readonly utilisation: number;
  /** Calls waiting for the pool. */
  readonly queueDepth: number;
  /** Calls completed per second over the metrics window. */
  readonly requestsPerSecond: number;
  readonly averageLatencyMs: number;
  /** Calls completed in the metrics window: the evidence behind the rate and the latency (docs/adr/0059). */
  readonly windowCalls: number;
  /** 0..1: calls the target failed (instance failures, not application answers) over the window. */
  readonly errorRate: number;
  /** Epoch ms of the last scale-up or scale-down of this pool (its creation counts as one). */
  readonly lastScaleActionAt: number;
}

/** Why a pool grew, in the specification's order (docs/specification.md#numbers); each is counted in the metrics. */
export type ScaleTrigger = 'high_utilization' | 'queue_depth' | 'high_rps' | 'high_latency';

export const ScaleTriggers: readonly ScaleTrigger[] = ['high_utilization', 'queue_depth', 'high_rps', 'high_latency'];

export type ScaleUpDecision =
  | { readonly scale: true; readonly trigger: ScaleTrigger }
  | { readonly scale: false; readonly reason: 'no_trigger' | 'error_rate' | 'at_max' };

export type ScaleDownDecision = { readonly scale: true } | { readonly scale: false; readonly reason: 'busy' | 'too_soon' | 'at_min' };

/**
 * The specification's `shouldScaleUp` and `canScaleUp` (docs/specification.md#numbers): one trigger (utilisation, queue depth, rps,
 * average latency) AND a healthy target (error rate below the veto) AND room below the maximum.
 * The first trigger in the specification's order names the decision. The rate and the latency
 * are averages over the window: they count only with at least `minWindowCalls` calls behind them
 * (docs/adr/0059), so a few slow first calls of a fresh pool do not grow it to its maximum.
 */
export const decideScaleUp = (metrics: PoolMetrics, config: PoolScalingConfig): ScaleUpDecision => {
  const t = config.thresholds;
  const trigger = firstTrigger(metrics, config);
  if (trigger === undefined) return { scale: false, reason: 'no_trigger' };
  if (metrics.errorRate >= t.maxErrorRateForScaleUp) return { scale: false, reason: 'error_rate' };
  if (metrics.connections >= config.maxConnections) return { scale: false, reason: 'at_max' };
  return { scale: true, trigger };
};

const firstTrigger = (metrics: PoolMetrics, config: PoolScalingConfig): ScaleTrigger | undefined => {
  const t = config.thresholds;
  if (metrics.utilisation > t.scaleUpUtilisation) return 'high_utilization';
  if (metrics.queueDepth > t.scaleUpQueueDepth) return 'queue_depth';
  const enoughEvidence = metrics.windowCalls >= t.minWindowCalls;
  if (enoughEvidence && metrics.requestsPerSecond > t.scaleUpRequestsPerSecond) return 'high_rps';
  if (enoughEvidence && metrics.averageLatencyMs > t.scaleUpAverageLatencyMs) return 'high_latency';
  return undefined;
};

/**
 * The specification's `shouldScaleDown` (docs/specification.md#numbers): low utilisation AND a short queue AND more than the quiet
 * period since the last scaling action (so the pool does not thrash) AND above the minimum.
 */
export const decideScaleDown = (metrics: PoolMetrics, now: number, config: PoolScalingConfig): ScaleDownDecision => {
  const t = config.thresholds;
  if (metrics.connections <= config.minConnections) return { scale: false, reason: 'at_min' };
  if (metrics.utilisation >= t.scaleDownUtilisation || metrics.queueDepth >= t.scaleDownQueueDepth) {
    return { scale: false, reason: 'busy' };
  }
  if (now - metrics.lastScaleActionAt <= t.scaleDownQuietMs) return { scale: false, reason: 'too_soon' };
  return { scale: true };
};
