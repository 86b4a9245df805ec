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
import { DependencyUnavailableError, type DomainFailure } from '../../../core/shared/errors.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import { createLogger, type Logger } from '../../observability/logger.js';
import { SystemClock } from '../../system/system-clock.js';
import { fromGrpcStatus, isAnsweredRefusal } from '../from-grpc-status.js';
import { servingCall } from '../serving-call.js';
import { childTraceparent, TRACEPARENT } from '../../observability/trace-context.js';
import { traceparentOfSpan, type Span } from '../../observability/tracing/spans.js';
import { endRpcSpan, serverAttributes, startRpcClientSpan } from '../grpc-spans.js';
import type { GrpcClientConstructor } from './grpc-channel-pool.js';
import { isRetryableFailure, localError } from './grpc-call-outcome.js';
import { MeshInstance, type MeshInstanceOptions } from './mesh-instance.js';
import type { MeshClientSnapshot } from './mesh-metrics.js';
import { meshSettings, type MeshSettings, type MeshSettingsOverrides } from './mesh-options.js';
import { methodSafety } from './method-safety.js';
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
  /** A deadline not to pass; the deadline of the gRPC call being served (`servingCall`) applies too. */
  readonly deadline?: Date;
  /** Sent as is (plus `traceparent` inside a trace, on a copy). */
  readonly metadata?: Metadata;
  /** Cancels the call (every attempt) when aborted; by default when the gRPC call being served is cancelled. */
  readonly signal?: AbortSignal;
  /** Sent as `idempotency-key`; makes a write safe to retry on another instance. */
  readonly idempotencyKey?: string;
  /** The caller vouches that repeating this call is harmless, whatever the method. */
  readonly idempotent?: boolean;
  /**
   * Only this instance of the service may take the call (a gateway forwarding to the gateway that
   * holds a socket: docs/adr/0052); no other is tried, and its absence is an unavailable service.
   */
  readonly instanceId?: string;
}

export const IDEMPOTENCY_KEY_METADATA = 'idempotency-key';

const NOTHING_TRIED: ReadonlySet<string> = new Set();

/**
 * A signal aborted when `signal` aborts from now on. The scope of a served call can outlive it
 * (a socket callback carries the scope of whatever opened the socket): its signal cancels the
 * calls it makes while it runs, and an already aborted one does not refuse unrelated calls.
 */
const laterAbortsOf = (signal: AbortSignal): AbortSignal => {
  const controller = new AbortController();
  signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller.signal;
};

/** `sent: false`: the call never left for the instance (refused by its pool, no connection, cancelled first). */
type Attempt<Res> =
  | { readonly ok: true; readonly value: Res }
  | { readonly ok: false; readonly error: ServiceError; readonly sent: boolean };

/** What the outbound adapters need of a target service: its unary rpcs, called through the mesh (docs/adr/0026). */
export interface ServiceCalls<C extends Client> {
  /**
   * One unary call: the response, or the failure the service answered with (`fromGrpcStatus`).
   * Throws `DependencyUnavailableError` when no instance could answer (docs/adr/0027).
   */
  call<K extends UnaryMethodName<C>>(
    method: K,
    request: RequestOf<C, K>,
    options?: MeshCallOptions,
  ): Promise<Result<ResponseOf<C, K>, DomainFailure>>;
  /** Ends this user's use: closes the pools, or a lease of a shared client. */
  close(): void;
}

/** A mesh client as a service's adapters and its health details see it. */
export type MeshService<C extends Client> = ServiceCalls<C> & Pick<MeshClient<C>, 'snapshot'>;

/**
 * The client side of the mesh for one target service: a pool per instance (from the instance
 * source, followed as it changes), a balancer across the instances that are routable (healthy,
 * connected, breaker not open), and per call a deadline, outcome tracking and retries of safe
 * calls on another instance within the retry budget. The outbound adapters call it directly
 * (`ServiceCalls`); every call is admitted by the chosen instance's pool.
 */
export class MeshClient<C extends Client> implements ServiceCalls<C> {
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

  /**
   * One unary call with the mesh's guarantees: the deadline is the earliest of the own timeout, the
   * given deadline and the deadline of the gRPC call being served; a call that failed because its
   * instance could not serve it is tried on another instance if the method is safe to repeat (or
   * carries an idempotency key), time is left and the retry budget allows. A failure the service
   * answered with is returned; a service that could not answer (no instance, down, past the
   * deadline, failing internally) throws `DependencyUnavailableError` (docs/adr/0027). Inside a
   * trace the call carries `traceparent`: a new span of the same trace (docs/adr/0019), recorded as
   * one client span for all its attempts when the work records spans (docs/adr/0048).
   */
  call<K extends UnaryMethodName<C>>(
    method: K,
    request: RequestOf<C, K>,
    options: MeshCallOptions = {},
  ): Promise<Result<ResponseOf<C, K>, DomainFailure>> {
    const path = this.Client.service[method]?.path ?? method;
    const retryable = {
      safety: methodSafety(path),
      idempotencyKey: options.idempotencyKey !== undefined || options.idempotent === true,
    };
    const parent = servingCall();
    const parentDeadline = Math.min(options.deadline?.getTime() ?? Infinity, parent?.deadline?.getTime() ?? Infinity);
    const deadline = callDeadline(this.clock.now(), options.timeoutMs ?? this.settings.timeoutMs, parentDeadline);
    const signal = options.signal ?? (parent?.signal && laterAbortsOf(parent.signal));
    const span = parent?.tracer && startRpcClientSpan(path);
    let metadata = options.metadata ?? new Metadata();
    if (options.idempotencyKey !== undefined || parent?.trace) {
      metadata = metadata.clone();
      if (options.idempotencyKey !== undefined) metadata.set(IDEMPOTENCY_KEY_METADATA, options.idempotencyKey);
      if (parent?.trace) metadata.set(TRACEPARENT, span ? traceparentOfSpan(span) : childTraceparent(parent.trace));
    }
    // The attempts' promise is the call's (they end the span): no further await on the hot path.
    return this.attempts(path, method, request, retryable, deadline, metadata, signal, options.instanceId, span || undefined);
  }

  /** The attempts of one call (see `call`); `span` is told each instance tried, and ended with the call's outcome. */
  private async attempts<K extends UnaryMethodName<C>>(
    path: string,
    method: K,
    request: RequestOf<C, K>,
    retryable: { readonly safety: ReturnType<typeof methodSafety>; readonly idempotencyKey: boolean },
    deadline: number,
    metadata: Metadata,
    signal: AbortSignal | undefined,
    pinnedTo: string | undefined,
    span?: Span,
  ): Promise<Result<ResponseOf<C, K>, DomainFailure>> {
    this.budget.recordRequest();
    // Made on the first failure: the common case allocates nothing for retries.
    let tried: Set<string> | undefined;
    // A call pinned to one instance sees the others as already tried.
    if (pinnedTo !== undefined) tried = new Set(this.memberList.map((member) => member.id).filter((id) => id !== pinnedTo));
    try {
      for (let attempts = 1; ; attempts += 1) {
        const member = this.choose(tried);
        const probe = this.choseProbe;
        if (!member) {
          this.noInstance += 1;
          throw this.noInstanceError();
        }
        if (span) {
          span.setAttributes(serverAttributes(member.pool.address));
          if (attempts > 1) span.addEvent('retry', { 'meshwork.instance': member.id, 'meshwork.attempt': attempts });
        }
        const answer = await this.attempt<RequestOf<C, K>, ResponseOf<C, K>>(member, method, request, deadline, metadata, signal);
        if (answer.ok) {
          if (span) endRpcSpan(span, status.OK, 'client');
          return ok(answer.value);
        }
        // A half-open probe that never left says nothing of the instance: the next call may probe.
        if (probe && !answer.sent) member.breaker.releaseProbe();
        (tried ??= new Set()).add(member.id);
        const question = {
          ...retryable,
          retryableFailure: isRetryableFailure(answer.error, signal?.aborted === true),
          attempts,
          remainingMs: remainingMs(deadline, this.clock.now()),
          otherInstance: routableInstances(this.memberList, tried).length > 0,
        };
        const decision = decideRetry(question, this.settings.retry, this.budget);
        if (!decision.retry) {
          if (span) endRpcSpan(span, answer.error.code, 'client', answer.error.details);
          return this.failed(answer.error, member);
        }
        this.retries += 1;
        this.logger.debug({ path, targetInstance: member.id, code: answer.error.code }, 'retrying on another instance');
      }
    } catch (error) {
      // Not ended yet when no instance could take the call, or an attempt threw.
      if (span?.isRecording()) endRpcSpan(span, status.UNAVAILABLE, 'client', error instanceof Error ? error.message : String(error));
      throw error;
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
      const claim = picked?.breaker.tryAcquire();
      this.choseProbe = claim === 'probe';
      if (!picked || claim) return picked;
      excluded = new Set([...excluded, picked.id]); // another call took the half-open probe
    }
  }

  /** Whether the last `choose` claimed its instance's half-open probe; read at once after it (no await between). */
  private choseProbe = false;

  /** One attempt on `member`: admitted by its pool, then sent on the client of the connection it chose. */
  private attempt<Req, Res>(
    member: MeshInstance<C>,
    method: string,
    request: Req,
    deadline: number,
    metadata: Metadata,
    signal: AbortSignal | undefined,
  ): Promise<Attempt<Res>> {
    if (member.pool.connectionCount() === 0) {
      return Promise.resolve({ ok: false, sent: false, error: localError(status.UNAVAILABLE, `no connection to ${member.id}`) });
    }
    if (signal?.aborted) return Promise.resolve({ ok: false, sent: false, error: localError(status.CANCELLED, 'Cancelled on client') });
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
      const send = (client: C, done: (code: status, cancelledByCaller: boolean, trailers?: Metadata) => void) => {
        const invoke = (client as unknown as Record<string, UnaryInvoker<Req, Res>>)[method]!;
        sent = invoke.call(client, request, metadata, { deadline }, (error, response) => {
          signal?.removeEventListener('abort', cancel);
          done(error ? error.code : status.OK, cancelledByCaller, error?.metadata);
          resolve(error ? { ok: false, sent: true, error } : { ok: true, value: response });
        });
      };
      // The pool may refuse at once (closed, queue full): the listener is added only if it did not.
      let refused = false;
      const refuse = (code: status, details: string) => {
        refused = true;
        signal?.removeEventListener('abort', cancel);
        resolve({ ok: false, sent: false, error: localError(code, details) });
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

  /** The failure the service answered with, or the fault of a service that could not answer. */
  private failed(error: ServiceError, member: MeshInstance<C>): Result<never, DomainFailure> {
    const answered = fromGrpcStatus(error, `${this.options.service} at ${member.pool.address}`);
    // A refusal the service answered on purpose with a Retry-After (a maintenance window) is its answer, not an outage.
    if (answered.kind === 'unavailable' && !isAnsweredRefusal(error))
      throw new DependencyUnavailableError(this.options.service, answered.message);
    return err(answered);
  }

  private noInstanceError(): DependencyUnavailableError {
    const message = `no instance of ${this.options.service} can take the call`;
    return new DependencyUnavailableError(this.options.service, message, 'no_instance_available');
  }
}
