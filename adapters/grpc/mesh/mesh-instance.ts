import { status, type Client } from '@grpc/grpc-js';
import { grpcAddressOf, isDraining, isInRotation, type ServiceInstance } from '../../../core/discovery/instance.js';
import type { GlobalConnectionScaler } from '../../../core/pool-scaling/global-connection-scaler.js';
import { isAnswered, type CallOutcome } from '../../../core/resilience/call-outcome.js';
import { CircuitBreaker, type CircuitBreakerConfig } from '../../../core/resilience/circuit-breaker.js';
import { PeakEwma, type PeakEwmaConfig } from '../../../core/resilience/peak-ewma.js';
import type { RoutingState } from '../../../core/resilience/routing.js';
import type { Clock } from '../../../core/shared/clock.js';
import { GrpcChannelPool, type ChannelPoolOptions, type GrpcClientConstructor } from './grpc-channel-pool.js';
import type { InstanceSnapshot } from './mesh-metrics.js';
import { PoolAutoscaler } from './pool-autoscaler.js';

export interface MeshInstanceOptions {
  readonly pool: Omit<ChannelPoolOptions, 'instanceId' | 'address' | 'listener' | 'clock'>;
  readonly breaker: CircuitBreakerConfig;
  readonly peakEwma: PeakEwmaConfig;
  readonly clock: Clock;
}

/**
 * One instance of the target service as this client sees it: its connection pool (with its
 * autoscaler), its circuit breaker, its peak-EWMA latency, and whether a connection-level signal
 * has ejected it. Ejection is immediate on a lost or refused connection and lifts as soon as a
 * connection is ready again or a call is answered.
 */
export class MeshInstance<C extends Client> implements RoutingState {
  readonly pool: GrpcChannelPool<C>;
  readonly breaker: CircuitBreaker;
  readonly latency: PeakEwma;
  private readonly autoscaler: PoolAutoscaler;
  private readonly clock: Clock;
  private isEjected = false;
  private ejections = 0;
  private lastEjectedAt: number | undefined;
  private calls = 0;

  constructor(
    public instance: ServiceInstance,
    Client: GrpcClientConstructor<C>,
    scaler: GlobalConnectionScaler,
    private readonly options: MeshInstanceOptions,
  ) {
    this.clock = options.clock;
    this.breaker = new CircuitBreaker(options.clock, options.breaker);
    this.latency = new PeakEwma(options.clock, options.peakEwma);
    this.pool = new GrpcChannelPool(
      Client,
      {
        ...options.pool,
        clock: options.clock,
        instanceId: instance.instanceId,
        address: grpcAddressOf(instance),
        listener: {
          callSent: () => {
            this.calls += 1;
            this.latency.start();
          },
          callEnded: (outcome, latencyMs, code) => this.callEnded(outcome, latencyMs, code),
          connectionLost: () => this.eject(),
          connectionReady: () => this.readmit(),
        },
      },
      scaler,
    );
    this.autoscaler = new PoolAutoscaler(this.pool, options.pool.scaling, options.clock);
    this.autoscaler.start();
  }

  get id(): string {
    return this.instance.instanceId;
  }

  get inRotation(): boolean {
    return isInRotation(this.instance);
  }

  get draining(): boolean {
    return isDraining(this.instance);
  }

  get ejected(): boolean {
    return this.isEjected;
  }

  get breakerAllows(): boolean {
    return this.breaker.canAttempt();
  }

  snapshot(): InstanceSnapshot {
    const breaker = this.breaker.snapshot();
    return {
      instanceId: this.id,
      address: this.pool.address,
      inRotation: this.inRotation,
      ejected: this.isEjected,
      ejections: this.ejections,
      lastEjectedAt: this.lastEjectedAt,
      breaker: breaker.state,
      breakerOpened: breaker.opened,
      peakEwmaMs: this.latency.estimateMs(),
      pending: this.latency.pending(),
      calls: this.calls,
      pool: this.pool.snapshot(),
    };
  }

  close(): void {
    this.autoscaler.stop();
    this.pool.close();
  }

  private callEnded(outcome: CallOutcome, latencyMs: number, code: status): void {
    const wasOpen = this.breaker.state() === 'open';
    // A dependency's failure answered fast is no measure of how fast the instance serves.
    const served = outcome === 'success' || outcome === 'application_error';
    this.latency.finish(served ? latencyMs : undefined);
    this.breaker.record(outcome);
    if (!wasOpen && this.breaker.state() === 'open') {
      const after = this.breaker.snapshot();
      this.options.pool.logger.warn(
        { target: this.options.pool.service, instance: this.id, code: status[code], failures: after.failures, calls: after.calls },
        'circuit breaker opened',
      );
    }
    if (isAnswered(outcome)) this.readmit();
  }

  private eject(): void {
    if (this.isEjected) return;
    this.isEjected = true;
    this.ejections += 1;
    this.lastEjectedAt = this.clock.now();
    // Calls waiting for this instance would wait for a connection that is gone: let them go elsewhere.
    this.pool.refuseWaiting(status.UNAVAILABLE, `instance ${this.id} lost its connection`);
  }

  private readmit(): void {
    this.isEjected = false;
  }
}
