import type { GlobalScalerSnapshot } from '../../../core/pool-scaling/global-connection-scaler.js';
import type { LatencyPercentiles } from '../../../core/pool-scaling/call-window.js';
import type { ScaleTrigger } from '../../../core/pool-scaling/policy.js';
import type { BalancerKind } from '../../../core/resilience/balancer.js';
import type { BreakerState } from '../../../core/resilience/circuit-breaker.js';
import type { RetryBudgetSnapshot } from '../../../core/resilience/retry-budget.js';

/** One pool (this process's connections to one instance), as plain numbers for an exporter. */
export interface PoolSnapshot {
  readonly poolId: string;
  readonly address: string;
  /** Connections in rotation (the 5-20 of the specification, docs/specification.md#numbers). */
  readonly connections: number;
  readonly readyConnections: number;
  /** Taken out of rotation, closing once their calls end. */
  readonly drainingConnections: number;
  readonly inFlight: number;
  readonly queueDepth: number;
  readonly utilisation: number;
  readonly requestsPerSecond: number;
  readonly averageLatencyMs: number;
  readonly latencyMs: LatencyPercentiles;
  readonly errorRate: number;
  /** Calls refused because the queue was full. */
  readonly rejected: number;
  readonly scaleUps: Readonly<Record<ScaleTrigger, number>>;
  readonly scaleDowns: number;
  /** Connections given to higher-priority pools by the global scaler. */
  readonly surrendered: number;
  /** Connection requests the global scaler denied. */
  readonly denials: number;
  /** Connections that failed to connect (TRANSIENT_FAILURE). */
  readonly connectFailures: number;
  /** Connections closed while the instance could not be reached; they reopen when it is reached again. */
  readonly parkedConnections: number;
  /** Recent scale-ups: from the decision to the new connection being ready, in ms. */
  readonly scaleUpTimesMs: readonly number[];
}

export interface InstanceSnapshot {
  readonly instanceId: string;
  readonly address: string;
  readonly inRotation: boolean;
  /** Taken out by a connection-level signal until it reconnects. */
  readonly ejected: boolean;
  readonly ejections: number;
  /** Epoch ms of the last ejection. */
  readonly lastEjectedAt: number | undefined;
  readonly breaker: BreakerState;
  readonly breakerOpened: number;
  readonly peakEwmaMs: number;
  readonly pending: number;
  /** Calls sent to this instance since the client was made. */
  readonly calls: number;
  readonly pool: PoolSnapshot;
}

export interface MeshClientSnapshot {
  readonly service: string;
  readonly balancer: BalancerKind;
  readonly instances: readonly InstanceSnapshot[];
  readonly retries: number;
  readonly retryBudget: RetryBudgetSnapshot;
  /** Calls that found no instance to go to. */
  readonly noInstance: number;
  readonly scaler: GlobalScalerSnapshot;
}
