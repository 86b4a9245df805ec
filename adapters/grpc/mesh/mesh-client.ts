import { Metadata, status, type Client, type ClientUnaryCall, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import type { InstanceSource, ServiceInstance } from '../../../core/discovery/instance.js';
import { grpcAddressOf } from '../../../core/discovery/instance.js';
import type { GlobalConnectionScaler } from '../../../core/pool-scaling/global-connection-scaler.js';
import type { Balancer } from '../../../core/resilience/balancer.js';
import { callDeadline, remainingMs } from '../../../core/resilience/deadline.js';
import { PowerOfTwoChoicesBalancer } from '../../../core/resilience/power-of-two-choices.js';
import { RetryBudget } from '../../../core/resilience/retry-budget.js';
import { decideRetry } from '../../../core/resilience/retry-policy.js';
import { RoundRobinBalancer } from '../../../core/resilience/round-robin.js';
import { routableInstances } from '../../../core/resilience/routing.js';
import type { Clock } from '../../../core/shared/clock.js';
import { DomainFailureError, failure, type DomainFailure } from '../../../core/shared/errors.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import { createLogger, type Logger } from '../../observability/logger.js';
import { SystemClock } from '../../system/system-clock.js';
import type { GrpcClientSource } from '../grpc-client-source.js';
import { fromGrpcStatus } from '../from-grpc-status.js';
import type { GrpcClientConstructor } from './grpc-channel-pool.js';
import { isRetryableFailure } from './grpc-call-outcome.js';
import { MeshInstance, type MeshInstanceOptions } from './mesh-instance.js';
import type { MeshClientSnapshot } from './mesh-metrics.js';
import { meshSettings, type MeshSettings, type MeshSettingsOverrides } from './mesh-options.js';
import { methodSafety } from './method-safety.js';
import { localStatus } from './pooled-call-interceptor.js';
import type { RequestOf, ResponseOf, UnaryInvoker, UnaryMethodName } from './unary-method-types.js';

/** A generated client class, which also carries its service definition (for method paths). */
export type MeshClientConstructor<C extends Client> = GrpcClientConstructor<C> & { readonly service: ServiceDefinition };

export interface MeshClientOptions {
  /** The target service (`auth`, `project`, ...): which instances to use, its priority, its default deadline. */
  readonly service: string;
  readonly instances: InstanceSource;
  /** One per process: every pool of every mesh client counts against it. */
  readonly scaler: GlobalConnectionScaler;
  readonly settings?: MeshSettingsOverrides;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** For the P2C balancer's choices; Math.random by default. */
  readonly random?: () => number;
}

export interface MeshCallOptions {
  /** Own timeout; default per target service (MeshSettings.timeoutMs). */
  readonly timeoutMs?: number;
  /** Deadline of the request being served: the call gets no more than the time it has left. */
  readonly deadline?: Date;
  readonly metadata?: Metadata;
  /** Cancels the call (every attempt) when aborted. */
  readonly signal?: AbortSignal;
  /** Sent as `idempotency-key`; makes a write safe to retry on another instance. */
  readonly idempotencyKey?: string;
  /** The caller vouches that repeating this call is harmless, whatever the method. */
  readonly idempotent?: boolean;
}

export const IDEMPOTENCY_KEY_METADATA = 'idempotency-key';

const NOTHING_TRIED: ReadonlySet<string> = new Set();

type Attempt<Res> = { readonly ok: true; readonly value: Res } | { readonly ok: false; readonly error: ServiceError };

const localError = (code: status, details: string): ServiceError =>
  Object.assign(new Error(`${code} ${status[code]}: ${details}`), localStatus(code, details));

/**
 * The client side of the mesh for one target service: a pool per instance (from the instance
 * source, followed as it changes), a balancer across the instances that are routable (healthy,
 * connected, breaker not open), and per call a deadline, outcome tracking and retries of safe
 * calls on another instance within the retry budget.
 *
 * As a `GrpcClientSource`, `client()` gives the client of the chosen instance's least busy
 * connection (the pool, breaker and latency tracking apply; retries do not). `call()` adds retries.
 */
export class MeshClient<C extends Client> implements GrpcClientSource<C> {
  readonly settings: MeshSettings;
  private readonly members = new Map<string, MeshInstance<C>>();
  /** `members` as an array, remade when they change rather than on every call. */
  private memberList: readonly MeshInstance<C>[] = [];
  private readonly balancer: Balancer<MeshInstance<C>>;
  private readonly budget: RetryBudget;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly unsubscribe: () => void;
  private retries = 0;
  private noInstance = 0;
  private closed = false;

  constructor(
    private readonly Client: MeshClientConstructor<C>,
    private readonly options: MeshClientOptions,
  ) {
    this.settings = meshSettings(options.service, options.settings);
    this.clock = options.clock ?? new SystemClock();
    this.logger = (options.logger ?? createLogger('mesh-client')).child({ target: options.service });
    this.budget = new RetryBudget(this.clock, this.settings.retryBudget);
    this.balancer =
      this.settings.balancer === 'p2c_peak_ewma'
        ? new PowerOfTwoChoicesBalancer((member) => member.latency.load(), options.random)
        : new RoundRobinBalancer();
    this.sync(options.instances.current(options.service));
    this.unsubscribe = options.instances.onChange(options.service, (instances) => this.sync(instances));
  }

  /** The client to make the next call on; throws `unavailable` when no instance can take it. */
  client(): C {
    const client = this.choose()?.pool.client();
    if (client) return client;
    this.noInstance += 1;
    throw new DomainFailureError(this.noInstanceFailure());
  }

  /**
   * One unary call with the mesh's guarantees: the deadline is the earlier of the own timeout and
   * the caller's deadline; a call that failed because its instance could not serve it is tried on
   * another instance if the method is safe to repeat (or carries an idempotency key), time is left
   * and the retry budget allows. Never rejects for a gRPC error.
   */
  async call<K extends UnaryMethodName<C>>(
    method: K,
    request: RequestOf<C, K>,
    options: MeshCallOptions = {},
  ): Promise<Result<ResponseOf<C, K>, DomainFailure>> {
    const path = this.Client.service[method]?.path ?? method;
    const retryable = {
      safety: methodSafety(path),
      idempotencyKey: options.idempotencyKey !== undefined || options.idempotent === true,
    };
    const deadline = callDeadline(this.clock.now(), options.timeoutMs ?? this.settings.timeoutMs, options.deadline?.getTime());
    this.budget.recordRequest();
    // Made on the first failure: the common case allocates nothing for retries.
    let tried: Set<string> | undefined;
    for (let attempts = 1; ; attempts += 1) {
      const member = this.choose(tried);
      if (!member) {
        this.noInstance += 1;
        return err(this.noInstanceFailure());
      }
      const answer = await this.attempt<RequestOf<C, K>, ResponseOf<C, K>>(member, method, request, deadline, options);
      if (answer.ok) return ok(answer.value);
      (tried ??= new Set()).add(member.id);
      const question = {
        ...retryable,
        retryableFailure: isRetryableFailure(answer.error, options.signal?.aborted === true),
        attempts,
        remainingMs: remainingMs(deadline, this.clock.now()),
        otherInstance: routableInstances(this.memberList, tried).length > 0,
      };
      const decision = decideRetry(question, this.settings.retry, this.budget);
      if (!decision.retry) return err(fromGrpcStatus(answer.error, `${this.options.service} at ${member.pool.address}`));
      this.retries += 1;
      this.logger.debug({ path, targetInstance: member.id, code: answer.error.code }, 'retrying on another instance');
    }
  }

  snapshot(): MeshClientSnapshot {
    return {
      service: this.options.service,
      balancer: this.settings.balancer,
      instances: [...this.members.values()].map((member) => member.snapshot()),
      retries: this.retries,
      retryBudget: this.budget.snapshot(),
      noInstance: this.noInstance,
      scaler: this.options.scaler.snapshot(),
    };
  }

  /** Stops following the instances and closes every pool. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const member of this.members.values()) member.close();
    this.members.clear();
    this.memberList = [];
  }

  /** A routable instance not yet tried whose breaker lets this call through. */
  private choose(tried: ReadonlySet<string> = NOTHING_TRIED): MeshInstance<C> | undefined {
    let excluded = tried;
    for (;;) {
      const picked = this.balancer.pick(routableInstances(this.memberList, excluded));
      if (!picked || picked.breaker.tryAcquire()) return picked;
      excluded = new Set([...excluded, picked.id]); // another call took the half-open probe
    }
  }

  /** One attempt on `member`: admitted by its pool, then sent on the pool's un-intercepted client of the connection. */
  private attempt<Req, Res>(
    member: MeshInstance<C>,
    method: string,
    request: Req,
    deadline: number,
    options: MeshCallOptions,
  ): Promise<Attempt<Res>> {
    if (member.pool.connectionCount() === 0) {
      return Promise.resolve({ ok: false, error: localError(status.UNAVAILABLE, `no connection to ${member.id}`) });
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve({ ok: false, error: localError(status.CANCELLED, 'Cancelled on client') });
    let metadata = options.metadata ?? new Metadata();
    if (options.idempotencyKey !== undefined) {
      metadata = metadata.clone();
      metadata.set(IDEMPOTENCY_KEY_METADATA, options.idempotencyKey);
    }
    return new Promise((resolve) => {
      let sent: ClientUnaryCall | undefined;
      let cancelledByCaller = false;
      let withdraw = (): boolean => false;
      const cancel = () => {
        if (withdraw()) refuse(status.CANCELLED, 'Cancelled on client');
        else if (sent) {
          cancelledByCaller = true;
          sent.cancel();
        }
      };
      const send = (client: C, done: (code: status, cancelledByCaller: boolean) => void) => {
        const invoke = (client as unknown as Record<string, UnaryInvoker<Req, Res>>)[method]!;
        sent = invoke.call(client, request, metadata, { deadline }, (error, response) => {
          signal?.removeEventListener('abort', cancel);
          done(error ? error.code : status.OK, cancelledByCaller);
          resolve(error ? { ok: false, error } : { ok: true, value: response });
        });
      };
      // The pool may refuse at once (closed, queue full): the listener is added only if it did not.
      let refused = false;
      const refuse = (code: status, details: string) => {
        refused = true;
        signal?.removeEventListener('abort', cancel);
        resolve({ ok: false, error: localError(code, details) });
      };
      withdraw = member.pool.admit(deadline, send, refuse);
      if (!refused) signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Follows the instance source: new instances get a pool, gone or moved ones lose theirs. */
  private sync(instances: readonly ServiceInstance[]): void {
    if (this.closed) return;
    const seen = new Set<string>();
    for (const instance of instances) {
      seen.add(instance.instanceId);
      const member = this.members.get(instance.instanceId);
      if (member && grpcAddressOf(member.instance) === grpcAddressOf(instance)) {
        member.instance = instance;
        continue;
      }
      member?.close();
      this.members.set(instance.instanceId, new MeshInstance(instance, this.Client, this.options.scaler, this.instanceOptions()));
    }
    for (const [id, member] of this.members) {
      if (seen.has(id)) continue;
      member.close();
      this.members.delete(id);
    }
    this.memberList = [...this.members.values()];
  }

  private instanceOptions(): MeshInstanceOptions {
    const s = this.settings;
    return {
      clock: this.clock,
      breaker: s.breaker,
      peakEwma: s.peakEwma,
      pool: {
        service: this.options.service,
        scaling: s.scaling,
        maxPendingCalls: s.maxPendingCalls,
        maxStreamsPerConnection: s.maxStreamsPerConnection,
        streamsBeforeSpreading: s.streamsBeforeSpreading,
        channelOptions: s.channelOptions,
        credentials: s.credentials,
        connectTimeoutMs: s.connectTimeoutMs,
        logger: this.logger,
      },
    };
  }

  private noInstanceFailure(): DomainFailure {
    return failure('unavailable', 'no_instance_available', `no instance of ${this.options.service} can take the call`);
  }
}
