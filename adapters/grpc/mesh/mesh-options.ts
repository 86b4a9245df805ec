import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { poolScalingConfig, type PoolScalingConfig, type PoolScalingOverrides } from '../../../core/pool-scaling/config.js';
import type { BalancerKind } from '../../../core/resilience/balancer.js';
import { DEFAULT_CIRCUIT_BREAKER, type CircuitBreakerConfig } from '../../../core/resilience/circuit-breaker.js';
import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import { DEFAULT_PEAK_EWMA, type PeakEwmaConfig } from '../../../core/resilience/peak-ewma.js';
import { DEFAULT_RETRY_BUDGET, type RetryBudgetConfig } from '../../../core/resilience/retry-budget.js';
import { DEFAULT_RETRY, type RetryConfig } from '../../../core/resilience/retry-policy.js';

/** Everything about a mesh client that can be tuned; every field has a default. */
export interface MeshSettings {
  readonly balancer: BalancerKind;
  /** Per-call timeout when the caller gives none (auth 2 s, project 3 s, simulation 5 s). */
  readonly timeoutMs: number;
  readonly scaling: PoolScalingConfig;
  readonly maxPendingCalls: number;
  readonly maxStreamsPerConnection: number;
  /**
   * Calls a connection carries before the next one is used (docs/adr/0024): one HTTP/2 connection
   * writes the frames of its concurrent calls together, so spreading calls thinly over the pool's
   * connections costs CPU per call. Default 64.
   */
  readonly streamsBeforeSpreading: number;
  readonly connectTimeoutMs: number;
  readonly breaker: CircuitBreakerConfig;
  readonly retry: RetryConfig;
  readonly retryBudget: RetryBudgetConfig;
  readonly peakEwma: PeakEwmaConfig;
  readonly channelOptions: Partial<ChannelOptions>;
  /** Mesh mTLS credentials of every connection (docs/adr/0021); undefined: plaintext. */
  readonly credentials: ChannelCredentials | undefined;
}

export interface MeshSettingsOverrides extends Partial<Omit<MeshSettings, 'scaling' | 'breaker' | 'retry' | 'retryBudget' | 'peakEwma'>> {
  readonly scaling?: PoolScalingOverrides;
  readonly breaker?: Partial<CircuitBreakerConfig>;
  readonly retry?: Partial<RetryConfig>;
  readonly retryBudget?: Partial<RetryBudgetConfig>;
  readonly peakEwma?: Partial<PeakEwmaConfig>;
}

/**
 * Channel options of every pooled connection. Reconnection backs off from 200 ms to 2 s, so a
 * restarted instance is reconnected within about 2 s; the idle timeout is a day, so the warm
 * minimum of connections stays open (grpc-js closes idle channels after 30 minutes otherwise).
 */
export const DEFAULT_MESH_CHANNEL_OPTIONS: Partial<ChannelOptions> = {
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
  'grpc.client_idle_timeout_ms': 24 * 60 * 60 * 1000,
};

export const meshSettings = (service: string, overrides: MeshSettingsOverrides = {}): MeshSettings => ({
  balancer: overrides.balancer ?? 'round_robin',
  timeoutMs: overrides.timeoutMs ?? defaultCallTimeoutMs(service),
  scaling: poolScalingConfig(overrides.scaling),
  maxPendingCalls: overrides.maxPendingCalls ?? 200,
  maxStreamsPerConnection: overrides.maxStreamsPerConnection ?? 100,
  streamsBeforeSpreading: overrides.streamsBeforeSpreading ?? 64,
  connectTimeoutMs: overrides.connectTimeoutMs ?? 5_000,
  breaker: { ...DEFAULT_CIRCUIT_BREAKER, ...overrides.breaker },
  retry: { ...DEFAULT_RETRY, ...overrides.retry },
  retryBudget: { ...DEFAULT_RETRY_BUDGET, ...overrides.retryBudget },
  peakEwma: { ...DEFAULT_PEAK_EWMA, ...overrides.peakEwma },
  channelOptions: { ...DEFAULT_MESH_CHANNEL_OPTIONS, ...overrides.channelOptions },
  credentials: overrides.credentials,
});
