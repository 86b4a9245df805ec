import { EventEmitter } from 'node:events';
import { Metadata, status, type CallOptions, type Client, type ClientUnaryCall, type Deadline, type ServiceError } from '@grpc/grpc-js';
import type { DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';
import type { GrpcClientSource } from '../../adapters/grpc/grpc-client-source.js';
import {
  IDEMPOTENCY_KEY_METADATA,
  type MeshCallOptions,
  type MeshClient,
  type MeshClientConstructor,
} from '../../adapters/grpc/mesh/mesh-client.js';
import { toGrpcStatus } from '../../adapters/grpc/to-grpc-status.js';
import type { ServiceName } from '../service-names.js';

/** A client source backed by a mesh client, which stays reachable for snapshots and health details. */
export interface MeshCallSource<C extends Client> extends GrpcClientSource<C> {
  readonly mesh: MeshClient<C>;
}

type Callback = (error: ServiceError | null, response?: unknown) => void;
type AnyCall = (method: string, request: unknown, options: MeshCallOptions) => Promise<Result<unknown, DomainFailure>>;

/** What the adapters' `call.cancel()` reaches: the abort of the mesh call (every attempt). */
class MeshUnaryCall extends EventEmitter {
  constructor(private readonly abort: () => void) {
    super();
  }
  cancel(): void {
    this.abort();
  }
  getPeer(): string {
    return '';
  }
  getAuthContext(): null {
    return null;
  }
}

/**
 * The adapters' `GrpcClientSource` over a mesh client, with every unary rpc of the generated client
 * sent through `MeshClient.call` (docs/adr/0017): the adapters keep calling `client.validateToken(
 * request, metadata, { deadline }, callback)`, and get the mesh's retries on another instance for
 * the methods that are safe to repeat (`METHOD_SAFETY`), or carry an `idempotency-key` header.
 * The caller's deadline is kept exactly; its cancellation aborts every attempt. A failure comes
 * back as the status `toGrpcStatus` gives it, so the adapter's `fromGrpcStatus` reads it as the
 * failure it was. Anything else on the client (`getChannel`, ...) is the chosen instance's client.
 */
export const meshCallSource = <C extends Client>(Client: MeshClientConstructor<C>, mesh: MeshClient<C>): MeshCallSource<C> => {
  const call = mesh.call.bind(mesh) as unknown as AnyCall;
  const unary: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(Client.service)) {
    if (method.requestStream || method.responseStream) continue;
    unary[name] = (request: unknown, ...rest: unknown[]): ClientUnaryCall => {
      const callback = rest.pop() as Callback;
      const metadata = rest[0] instanceof Metadata ? rest[0] : undefined;
      const options = (rest[0] instanceof Metadata ? rest[1] : rest[0]) as Partial<CallOptions> | undefined;
      const controller = new AbortController();
      call(name, request, callOptions(metadata, options?.deadline, controller.signal)).then(
        (answer) => (answer.ok ? callback(null, answer.value) : callback(serviceErrorOf(answer.error))),
        (error: unknown) => callback(faultOf(error)),
      );
      return new MeshUnaryCall(() => controller.abort()) as unknown as ClientUnaryCall;
    };
  }
  const client = new Proxy(unary, {
    get: (target, property) => {
      if (typeof property === 'string' && property in target) return target[property];
      const chosen = mesh.client() as unknown as Record<string | symbol, unknown>;
      const value = chosen[property];
      return typeof value === 'function' ? value.bind(chosen) : value;
    },
  }) as unknown as C;
  return { mesh, client: () => client, close: () => mesh.close() };
};

const callOptions = (metadata: Metadata | undefined, deadline: Deadline | undefined, signal: AbortSignal): MeshCallOptions => {
  const key = metadata?.get(IDEMPOTENCY_KEY_METADATA)[0];
  const at = deadline === undefined ? undefined : deadline instanceof Date ? deadline.getTime() : deadline;
  return {
    signal,
    ...(metadata && { metadata }),
    ...(key !== undefined && { idempotencyKey: String(key) }),
    // The adapter's own deadline, exactly: neither shortened nor lengthened by the mesh's defaults.
    ...(at !== undefined && Number.isFinite(at) && { deadline: new Date(at), timeoutMs: Math.max(0, at - Date.now()) }),
  };
};

const serviceErrorOf = (failure: DomainFailure): ServiceError => {
  const { code, metadata } = toGrpcStatus(failure);
  return Object.assign(new Error(`${code} ${status[code]}: ${failure.message}`), { code, details: failure.message, metadata });
};

const faultOf = (error: unknown): ServiceError =>
  Object.assign(new Error(`${status.INTERNAL} INTERNAL: ${String(error)}`), {
    code: status.INTERNAL,
    details: error instanceof Error ? error.message : String(error),
    metadata: new Metadata(),
  });

/** How a service gets a mesh client of another (`ServiceContext.clientFor`). */
export type ClientFor = <C extends Client>(service: ServiceName, Client: MeshClientConstructor<C>) => MeshClient<C>;

/** The adapters' client source for `service`: a new mesh client, with its unary calls through `call`. */
export const meshCalls = <C extends Client>(clientFor: ClientFor, service: ServiceName, Client: MeshClientConstructor<C>): MeshCallSource<C> =>
  meshCallSource(Client, clientFor(service, Client));
