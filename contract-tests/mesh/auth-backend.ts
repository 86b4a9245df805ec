import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AuthServiceClient, ValidateTokenRequest, type ValidateTokenResponse } from '../../adapters/grpc/generated/auth.js';
import type { RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { unaryHandler, type UnaryContext } from '../../adapters/grpc/unary-handler.js';
import { DependencyUnavailableError, DomainFailureError, failure } from '../../core/shared/errors.js';
import type { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { redisUnavailable } from '../../adapters/redis/redis-call.js';
import { startAuthServer } from '../grpc/auth-test-server.js';

/** How a test backend answers ValidateToken. */
export interface BackendBehaviour {
  /** Added before answering. */
  delayMs: number;
  /** Answer UNAVAILABLE naming no dependency: the instance's own failure. */
  failing: boolean;
  /** Answer UNAVAILABLE naming Redis (as a service whose Redis is down does): a dependency's failure (docs/adr/0044). */
  redisDown?: boolean;
  /** When set, calls wait for it before answering. */
  gate?: Promise<void>;
  /** Called with each call's context (deadline, metadata). */
  onCall?: (context: UnaryContext) => void;
}

export interface AuthBackend {
  readonly server: RunningGrpcServer;
  readonly behaviour: BackendBehaviour;
  /** Calls this backend has received. */
  served(): number;
}

const VALID: ValidateTokenResponse = {
  valid: true,
  userId: 'user-1',
  email: 'a@example.com',
  isAdmin: false,
  sessionId: 'session-1',
  permissions: [],
  expiresAt: 0,
  reason: '',
};

/** An auth gRPC server on loopback whose ValidateToken answers as `behaviour` says (changeable live). */
export const startAuthBackend = async (behaviour: Partial<BackendBehaviour> = {}, port = 0): Promise<AuthBackend> => {
  const current: BackendBehaviour = { delayMs: 0, failing: false, ...behaviour };
  let served = 0;
  const server = await startAuthServer(
    {
      validateToken: unaryHandler(async (_request, context) => {
        served += 1;
        current.onCall?.(context);
        if (current.gate) await current.gate;
        if (current.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, current.delayMs));
        if (current.redisDown) throw redisUnavailable('GET test', 'failed: no reply within 2000 ms');
        if (current.failing) throw new DomainFailureError(failure('unavailable', 'dependency_down', 'test backend failing'));
        return VALID;
      }),
    },
    { port, shutdownGraceMs: 100 },
  );
  return { server, behaviour: current, served: () => served };
};

export const tokenRequest = (): ValidateTokenRequest => ValidateTokenRequest.fromPartial({ token: 't', callingService: 'test' });

/** Calls ValidateToken on `client` and resolves with the status code (OK included). */
export const validateTokenStatus = (client: AuthServiceClient, timeoutMs = 10_000): Promise<status> =>
  new Promise((resolve) => {
    client.validateToken(tokenRequest(), new Metadata(), { deadline: Date.now() + timeoutMs }, (error: ServiceError | null) =>
      resolve(error ? error.code : status.OK),
    );
  });

/**
 * One ValidateToken through the mesh and how it ended: `ok`, the code of the failure it returned
 * (`resource_exhausted`), or the message of the `DependencyUnavailableError` it threw; and how long it took.
 */
export const meshCallOutcome = async (
  mesh: MeshClient<AuthServiceClient>,
  timeoutMs = 10_000,
): Promise<{ outcome: string; ms: number }> => {
  const started = Date.now();
  try {
    const answer = await mesh.call('validateToken', tokenRequest(), { timeoutMs });
    return { outcome: answer.ok ? 'ok' : answer.error.code, ms: Date.now() - started };
  } catch (error) {
    if (!(error instanceof DependencyUnavailableError)) throw error;
    return { outcome: error.message, ms: Date.now() - started };
  }
};
