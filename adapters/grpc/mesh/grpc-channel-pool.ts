import {
  connectivityState,
  credentials,
  status,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientOptions,
  type Metadata,
} from '@grpc/grpc-js';
import type { GlobalConnectionScaler, ScalablePool } from '../../../core/pool-scaling/global-connection-scaler.js';
import { CallWindow } from '../../../core/pool-scaling/call-window.js';
import type { PoolScalingConfig } from '../../../core/pool-scaling/config.js';
import { computePoolMetrics } from '../../../core/pool-scaling/pool-metrics.js';
import { ScaleTriggers, type PoolMetrics, type ScaleTrigger } from '../../../core/pool-scaling/policy.js';
import type { CallOutcome } from '../../../core/resilience/call-outcome.js';
import type { Clock } from '../../../core/shared/clock.js';
import type { Logger } from '../../observability/logger.js';
import { callOutcomeOf } from './grpc-call-outcome.js';
import { CallAdmission } from './call-admission.js';
import type { PoolSnapshot } from './mesh-metrics.js';
import { PoolSlot } from './pool-slot.js';

/** A generated client class (`AuthServiceClient`, ...): one instance per connection of the pool. */
export type GrpcClientConstructor<C extends Client> = new (
  address: string,
  credentials: ChannelCredentials,
  options?: Partial<ClientOptions>,
) => C;

/** What the pool tells the instance it serves (breaker, latency estimate, ejection). */
export interface PoolListener {
  callSent(): void;
  /** `code`: the status the call ended with (for the log line of a breaker that opens). */
  callEnded(outcome: CallOutcome, latencyMs: number, code: status): void;
  /** A connection failed or was closed by the target (refused, dropped, GOAWAY). */
  connectionLost(): void;
  connectionReady(): void;
}

export interface ChannelPoolOptions {
  /** The target service: its priority at the global scaler. */
  readonly service: string;
  readonly instanceId: string;
  /** `host:port` of the instance. */
  readonly address: string;
  readonly scaling: PoolScalingConfig;
  /** Calls that may wait for the pool before new ones are refused with RESOURCE_EXHAUSTED. */
  readonly maxPendingCalls: number;
  /** Calls in flight per connection before further calls wait (HTTP/2 streams). */
  readonly maxStreamsPerConnection: number;
  /** Calls a connection carries before the next ready one is used; undefined: always the least busy. */
  readonly streamsBeforeSpreading?: number;
  readonly channelOptions: Partial<ChannelOptions>;
  /** Mesh mTLS credentials (docs/adr/0021); default plaintext. */
  readonly credentials?: ChannelCredentials;
  /** How long a new connection may take to become ready before the attempt counts as failed. */
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly listener?: Partial<PoolListener>;
}

/** Every channel of every pool gets its own subchannel pool, hence its own connection (ADR 0015). */
const OWN_CONNECTION: Partial<ChannelOptions> = { 'grpc.use_local_subchannel_pool': 1 };

/**
 * The connections of this process to one instance of a service: between min and max channels,
 * each its own HTTP/2 connection, counted against the global scaler. Calls go to the ready channel
 * with the fewest calls; beyond `connections x maxStreamsPerConnection` calls in flight they wait
 * in a bounded queue, and beyond that they are refused at once with RESOURCE_EXHAUSTED.
 */
export class GrpcChannelPool<C extends Client> implements ScalablePool {
  readonly id: string;
  readonly service: string;
  readonly minConnections: number;
  private readonly active: PoolSlot<C>[] = [];
  private draining: PoolSlot<C>[] = [];
  private readonly admission: CallAdmission;
  private readonly window: CallWindow;
  private readonly unregister: () => void;
  private nextSlotId = 0;
  /** Connections closed while the instance could not be reached, reopened once the probe connects again. */
  private parked = 0;
  private rotation = 0;
  private lastScaleActionAt: number;
  private closed = false;
  private readonly counts = {
    scaleUps: Object.fromEntries(ScaleTriggers.map((t) => [t, 0])) as Record<ScaleTrigger, number>,
    scaleDowns: 0,
    surrendered: 0,
    denials: 0,
    connectFailures: 0,
  };
  private readonly scaleUpTimesMs: number[] = [];

  constructor(
    private readonly Client: GrpcClientConstructor<C>,
    private readonly options: ChannelPoolOptions,
    private readonly scaler: GlobalConnectionScaler,
  ) {
    this.id = `${options.service}/${options.instanceId}`;
    this.service = options.service;
    this.minConnections = options.scaling.minConnections;
    this.admission = new CallAdmission(this.id, options.maxPendingCalls, () => this.active.length * options.maxStreamsPerConnection);
    this.window = new CallWindow(options.scaling.metricsWindowMs);
    this.lastScaleActionAt = options.clock.now();
    this.unregister = scaler.register(this);
    for (let i = 0; i < this.minConnections; i += 1) this.openConnection();
  }

  get address(): string {
    return this.options.address;
  }

  connectionCount(): number {
    return this.active.length;
  }

  /**
   * The first ready connection with fewer than `streamsBeforeSpreading` calls, else the ready
   * connection with the fewest calls (any connection if none is ready yet).
   */
  private pickSlot(): PoolSlot<C> | undefined {
    const packed = this.options.streamsBeforeSpreading;
    if (packed !== undefined) {
      for (const slot of this.active) if (slot.inFlight < packed && slot.isReady()) return slot;
    }
    let best: PoolSlot<C> | undefined;
    let bestReady = false;
    const count = this.active.length;
    for (let i = 0; i < count; i += 1) {
      const slot = this.active[(this.rotation + i) % count]!;
      const ready = slot.isReady();
      if (!best || (ready && !bestReady) || (ready === bestReady && slot.inFlight < best.inFlight)) {
        best = slot;
        bestReady = ready;
      }
    }
    this.rotation = count > 0 ? (this.rotation + 1) % count : 0;
    return best;
  }

  /**
   * Admits one call with deadline `deadline` (epoch ms), the only way a call reaches a connection
   * (docs/adr/0024, 0026): when there is room, `send` gets the client of the chosen connection and
   * must call `done` once the call ended; when there is none, the call waits or is refused
   * (`refuse`, never both). Returns `withdraw`: takes a waiting call out, true if it was waiting.
   */
  admit(
    deadline: number,
    send: (client: C, done: (code: status, cancelledByCaller: boolean, trailers?: Metadata) => void) => void,
    refuse: (code: status, details: string) => void,
  ): () => boolean {
    if (this.closed) {
      refuse(status.UNAVAILABLE, `connection pool ${this.id} closed`);
      return () => false;
    }
    const dispatch = () => {
      const slot = this.pickSlot()!;
      slot.inFlight += 1;
      this.options.listener?.callSent?.();
      const sentAt = this.options.clock.now();
      send(slot.client, (code, cancelledByCaller, trailers) =>
        this.exit(slot, code, this.options.clock.now() - sentAt, cancelledByCaller, trailers),
      );
    };
    return this.admission.enter(deadline, dispatch, refuse);
  }

  /** Adds one connection if the global scaler grants it; resolves with the ms until it was ready. */
  scaleUp(trigger: ScaleTrigger): { granted: boolean; ready: Promise<number | undefined> } {
    const decidedAt = this.options.clock.now();
    const slot = this.openConnection();
    if (!slot) return { granted: false, ready: Promise.resolve(undefined) };
    this.counts.scaleUps[trigger] += 1;
    this.lastScaleActionAt = decidedAt;
    this.options.logger.debug({ pool: this.id, trigger, connections: this.active.length }, 'scaled up');
    const ready = slot.whenReady(this.options.connectTimeoutMs).then((isReady) => {
      if (!isReady) return undefined;
      const elapsed = this.options.clock.now() - decidedAt;
      this.scaleUpTimesMs.push(elapsed);
      if (this.scaleUpTimesMs.length > 100) this.scaleUpTimesMs.shift();
      return elapsed;
    });
    return { granted: true, ready };
  }

  /** Closes one connection (after its calls end) and gives it back to the global scaler. */
  scaleDown(): boolean {
    if (this.active.length <= this.minConnections || !this.retireOne()) return false;
    this.scaler.release();
    this.counts.scaleDowns += 1;
    this.lastScaleActionAt = this.options.clock.now();
    this.options.logger.debug({ pool: this.id, connections: this.active.length }, 'scaled down');
    return true;
  }

  /** The global scaler moves one of this pool's connections to a higher-priority pool. */
  surrender(): void {
    if (this.retireOne()) this.counts.surrendered += 1;
  }

  metrics(): PoolMetrics {
    return computePoolMetrics(
      {
        now: this.options.clock.now(),
        connections: this.active.length,
        inFlight: this.admission.inFlight,
        queueDepth: this.admission.waiting,
        lastScaleActionAt: this.lastScaleActionAt,
        streamsPerConnection: this.options.scaling.streamsPerConnection,
      },
      this.window,
    );
  }

  /** Calls are in flight or waiting, or completed recently: worth checking for a scale-up. */
  isBusy(): boolean {
    const { admission } = this;
    return admission.inFlight > 0 || admission.waiting > 0 || this.window.totals(this.options.clock.now()).calls > 0;
  }

  /** Refuses every waiting call, e.g. when the instance was found gone. */
  refuseWaiting(code: status, details: string): void {
    this.admission.refuseWaiting(code, details);
  }

  snapshot(): PoolSnapshot {
    const metrics = this.metrics();
    this.draining = this.draining.filter((slot) => !slot.isClosed());
    return {
      poolId: this.id,
      address: this.options.address,
      connections: this.active.length,
      readyConnections: this.active.filter((slot) => slot.isReady()).length,
      drainingConnections: this.draining.length,
      inFlight: this.admission.inFlight,
      queueDepth: this.admission.waiting,
      utilisation: metrics.utilisation,
      requestsPerSecond: metrics.requestsPerSecond,
      averageLatencyMs: metrics.averageLatencyMs,
      latencyMs: this.window.percentiles(this.options.clock.now()),
      errorRate: metrics.errorRate,
      rejected: this.admission.rejected,
      scaleUps: { ...this.counts.scaleUps },
      scaleDowns: this.counts.scaleDowns,
      surrendered: this.counts.surrendered,
      denials: this.counts.denials,
      connectFailures: this.counts.connectFailures,
      parkedConnections: this.parked,
      scaleUpTimesMs: [...this.scaleUpTimesMs],
    };
  }

  /** Closes every connection and refuses waiting calls; calls in flight end on their own. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister();
    this.refuseWaiting(status.UNAVAILABLE, `connection pool ${this.id} closed`);
    this.scaler.release(this.active.length);
    for (const slot of this.active.splice(0)) slot.drain();
  }

  /** Asks the scaler for a connection and opens it; undefined when denied. */
  private openConnection(): PoolSlot<C> | undefined {
    if (this.closed) return undefined;
    const grant = this.scaler.requestConnectionIncrease(this);
    if (!grant.granted) {
      this.counts.denials += 1;
      this.options.logger.debug({ pool: this.id }, 'connection request denied by the global scaler');
      return undefined;
    }
    const channelCredentials = this.options.credentials ?? credentials.createInsecure();
    const client = new this.Client(this.options.address, channelCredentials, { ...this.options.channelOptions, ...OWN_CONNECTION });
    const slot = new PoolSlot(this.nextSlotId++, client, (changed, from, to) => this.onSlotState(changed, from, to));
    this.active.push(slot);
    slot.connect();
    this.admission.pump();
    return slot;
  }

  private exit(slot: PoolSlot<C>, code: status, latencyMs: number, cancelledByCaller: boolean, trailers: Metadata | undefined): void {
    slot.callEnded();
    const outcome = callOutcomeOf(code, cancelledByCaller, trailers);
    if (outcome !== 'cancelled') {
      this.window.record({ at: this.options.clock.now(), latencyMs, failed: outcome === 'instance_failure' });
    }
    this.options.listener?.callEnded?.(outcome, latencyMs, code);
    this.admission.exit();
  }

  /** Takes the least useful connection out of rotation: not ready first, then the least busy. */
  private retireOne(): boolean {
    if (this.active.length === 0) return false;
    let victim = 0;
    for (let i = 1; i < this.active.length; i += 1) {
      const candidate = this.active[i]!;
      const current = this.active[victim]!;
      const readiness = Number(candidate.isReady()) - Number(current.isReady());
      if (readiness < 0 || (readiness === 0 && candidate.inFlight < current.inFlight)) victim = i;
    }
    const [slot] = this.active.splice(victim, 1);
    this.draining.push(slot!);
    slot!.drain();
    return true;
  }

  private onSlotState(slot: PoolSlot<C>, from: connectivityState, to: connectivityState): void {
    if (slot.draining || this.closed) return;
    if (to === connectivityState.READY) {
      this.unpark();
      this.options.listener?.connectionReady?.();
    } else if (from === connectivityState.READY || to === connectivityState.TRANSIENT_FAILURE) {
      if (to === connectivityState.TRANSIENT_FAILURE) this.counts.connectFailures += 1;
      this.parkAllBut(slot);
      this.options.listener?.connectionLost?.();
    }
    // Keep the pool warm: a connection that went idle (dropped, GOAWAY, backoff over) reconnects.
    if (to === connectivityState.IDLE) slot.connect();
  }

  /**
   * The instance cannot be reached (no connection of the pool is ready): every connection would
   * keep redialling it on its own backoff, each attempt costing a TLS context and a socket, at
   * the moment its callers fail over and need the CPU. Only `probe` keeps dialling; the others
   * are closed and given back to the scaler until it connects again.
   */
  private parkAllBut(probe: PoolSlot<C>): void {
    if (this.active.length <= 1 || this.active.some((slot) => slot.isReady())) return;
    const others = this.active.filter((slot) => slot !== probe);
    this.active.splice(0, this.active.length, probe);
    for (const slot of others) {
      this.draining.push(slot);
      slot.drain();
    }
    this.scaler.release(others.length);
    this.parked += others.length;
    this.options.logger.debug({ pool: this.id, parked: this.parked }, 'instance unreachable: one connection keeps dialling');
  }

  /** A connection is ready again: the connections parked while the instance was unreachable reopen. */
  private unpark(): void {
    const parked = this.parked;
    this.parked = 0;
    for (let i = 0; i < parked; i += 1) if (!this.openConnection()) break;
  }
}
