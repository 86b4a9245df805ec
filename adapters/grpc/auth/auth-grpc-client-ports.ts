import type {
  AuthorizationPort as ProjectAuthorizationPort,
  PermissionDecision as ProjectPermissionDecision,
  UserDirectory,
} from '../../../core/project/ports.js';
import type { AuthorizationPort as SimulationAuthorizationPort } from '../../../core/simulation/ports.js';
import { DomainFailureError, failure, type DomainFailure } from '../../../core/shared/errors.js';
import { ok } from '../../../core/shared/result.js';
import type { TokenCheck } from '../../http/auth/authenticate.js';
import type { GrpcAuthClient } from './auth-grpc-client.js';

/**
 * The domain ports that need the auth service, over one `GrpcAuthClient`. How "auth is down"
 * surfaces differs by port, as each port's TSDoc asks: the project ports reject, the simulation
 * port answers an `unavailable` failure, and the token check throws `unavailable` so HTTP answers
 * 503 rather than 401.
 */

/** The project domain's AuthorizationPort: rejects with a DomainFailureError when auth cannot answer. */
export const projectAuthorization = (auth: GrpcAuthClient): ProjectAuthorizationPort => ({
  checkPermission: async (userId, permission, resourceId): Promise<ProjectPermissionDecision> => {
    const decision = await auth.checkPermission(userId, permission, resourceId);
    if (!decision.ok) throw new DomainFailureError(decision.error);
    return decision.value;
  },
});

/**
 * The project domain's UserDirectory over GetUserContext: inactive users count as unknown. An
 * unknown user is an answer (undefined / false); auth being down rejects with a DomainFailureError.
 */
export const userDirectory = (auth: GrpcAuthClient): UserDirectory => ({
  findUserIdByEmail: async (email) => {
    const user = await auth.getUserContext({ email });
    if (!user.ok) return absentOrThrow(user.error, undefined);
    return user.value.isActive ? user.value.userId : undefined;
  },
  userExists: async (userId) => {
    const user = await auth.getUserContext({ userId });
    if (!user.ok) return absentOrThrow(user.error, false);
    return user.value.isActive;
  },
});

/**
 * The simulation domain's AuthorizationPort: failures are `unavailable` only, so a request auth
 * refused as malformed is read as a denial with auth's message as the reason.
 */
export const simulationAuthorization = (auth: GrpcAuthClient): SimulationAuthorizationPort => ({
  checkPermission: async (userId, permission, resourceId) => {
    const decision = await auth.checkPermission(userId, permission, resourceId);
    if (decision.ok || decision.error.kind === 'unavailable') return decision;
    return ok({ allowed: false, reason: decision.error.message });
  },
});

/** The HTTP token check over ValidateToken; an auth service that cannot answer throws `unavailable` (503). */
export const remoteTokenCheck =
  (auth: GrpcAuthClient): TokenCheck =>
  async (token) => {
    const validation = await auth.validateToken(token);
    if (validation.ok) return validation.value;
    throw new DomainFailureError(
      validation.error.kind === 'unavailable'
        ? validation.error
        : failure('unavailable', 'token_check_failed', `The token could not be checked: ${validation.error.message}`),
    );
  };

const absentOrThrow = <T>(error: DomainFailure, absent: T): T => {
  if (error.kind === 'not_found' || error.kind === 'invalid') return absent;
  throw new DomainFailureError(error);
};

/** A user's email by id; undefined when unknown or when auth cannot answer (callers show '' then). */
export const emailLookup =
  (auth: GrpcAuthClient) =>
  async (userId: string): Promise<string | undefined> => {
    const user = await auth.getUserContext({ userId });
    return user.ok ? user.value.email : undefined;
  };
