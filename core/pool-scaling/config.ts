/**
 * The numbers of the specification's "Dynamic Connection Scaling Logic", all adjustable; "Spec:" below
 * gives the specification's value (docs/specification.md#numbers).
 */
export interface ScalingThresholds {
  /** Scale up above this utilisation (0..1). Spec: 0.8. */
  readonly scaleUpUtilisation: number;
  /** Scale up above this many pending calls. Spec: 10. */
  readonly scaleUpQueueDepth: number;
  /** Scale up above this many completed calls per second. Spec: 100. */
  readonly scaleUpRequestsPerSecond: number;
  /** Scale up above this average latency. Spec: 50 ms. */
  readonly scaleUpAverageLatencyMs: number;
  /**
   * The rps and latency triggers fire only with at least this many calls completed in the metrics
   * window: an average of a handful of calls is no evidence. Not in the specification (docs/adr/0059).
   */
  readonly minWindowCalls: number;
  /** No scale-up at or above this error rate (0..1): more connections do not heal a failing target. Spec: 0.05. */
  readonly maxErrorRateForScaleUp: number;
  /** Scale down below this utilisation. Spec: 0.3. */
  readonly scaleDownUtilisation: number;
  /** Scale down below this many pending calls. Spec: 2. */
  readonly scaleDownQueueDepth: number;
  /** Scale down only this long after the last scaling action. Spec: 5 minutes. */
  readonly scaleDownQuietMs: number;
}

/** How often each rule is evaluated. */
export interface ScalingCadence {
  /** Scale-up check while the pool is busy; the specification wants detection under 100 ms (docs/specification.md#numbers). */
  readonly scaleUpCheckMs: number;
  /** Scale-down check. Spec: every 30 s. */
  readonly scaleDownCheckMs: number;
}

export interface PoolScalingConfig {
  /** Connections always kept warm. Spec: 5. */
  readonly minConnections: number;
  /** Spec: 20. */
  readonly maxConnections: number;
  readonly thresholds: ScalingThresholds;
  readonly cadence: ScalingCadence;
  /** The sliding window over which rps, latency and error rate are computed. */
  readonly metricsWindowMs: number;
  /**
   * Concurrent calls at which one HTTP/2 connection counts as fully utilised. 1 reads the
   * specification literally ("connections actively serving requests", docs/specification.md#the-mesh-client); see ADR 0015.
   */
  readonly streamsPerConnection: number;
}

export const DEFAULT_SCALING_THRESHOLDS: ScalingThresholds = {
  scaleUpUtilisation: 0.8,
  scaleUpQueueDepth: 10,
  scaleUpRequestsPerSecond: 100,
  scaleUpAverageLatencyMs: 50,
  minWindowCalls: 20,
  maxErrorRateForScaleUp: 0.05,
  scaleDownUtilisation: 0.3,
  scaleDownQueueDepth: 2,
  scaleDownQuietMs: 5 * 60_000,
};

export const DEFAULT_SCALING_CADENCE: ScalingCadence = { scaleUpCheckMs: 50, scaleDownCheckMs: 30_000 };

export const DEFAULT_POOL_SCALING: PoolScalingConfig = {
  minConnections: 5,
  maxConnections: 20,
  thresholds: DEFAULT_SCALING_THRESHOLDS,
  cadence: DEFAULT_SCALING_CADENCE,
  metricsWindowMs: 1_000,
  streamsPerConnection: 1,
};

export interface PoolScalingOverrides extends Partial<Omit<PoolScalingConfig, 'thresholds' | 'cadence'>> {
  readonly thresholds?: Partial<ScalingThresholds>;
  readonly cadence?: Partial<ScalingCadence>;
}

/** The defaults with `overrides` applied; throws on a configuration that cannot work. */
export const poolScalingConfig = (overrides: PoolScalingOverrides = {}): PoolScalingConfig => {
  const config: PoolScalingConfig = {
    ...DEFAULT_POOL_SCALING,
    ...overrides,
    thresholds: { ...DEFAULT_SCALING_THRESHOLDS, ...overrides.thresholds },
    cadence: { ...DEFAULT_SCALING_CADENCE, ...overrides.cadence },
  };
  const problems = [
    config.minConnections < 0 && 'minConnections must be >= 0',
    config.maxConnections < Math.max(1, config.minConnections) && 'maxConnections must be >= max(1, minConnections)',
    config.metricsWindowMs <= 0 && 'metricsWindowMs must be > 0',
    !(config.thresholds.minWindowCalls >= 0) && 'thresholds.minWindowCalls must be >= 0',
    config.streamsPerConnection <= 0 && 'streamsPerConnection must be > 0',
    config.cadence.scaleUpCheckMs <= 0 && 'cadence.scaleUpCheckMs must be > 0',
    config.cadence.scaleDownCheckMs <= 0 && 'cadence.scaleDownCheckMs must be > 0',
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) throw new RangeError(`invalid pool scaling configuration: ${problems.join('; ')}`);
  return config;
};
