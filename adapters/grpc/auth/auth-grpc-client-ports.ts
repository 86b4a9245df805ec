import type { UserDirectory } from '../../../core/project/ports.js';
import type { AuthorizationPort } from '../../../core/shared/authorization.js';
import { DependencyUnavailableError, DomainFailureError, type DomainFailure } from '../../../core/shared/errors.js';
import type { TokenCheck } from '../../http/auth/authenticate.js';
import type { GrpcAuthClient } from './auth-grpc-client.js';

/**
 * The domain ports that need the auth service, over one `GrpcAuthClient`. One convention for
 * "auth is down" (docs/adr/0027): the mesh throws `DependencyUnavailableError` and every port lets
 * it through, so each transport answers UNAVAILABLE / 503 from one mapping.
 */

/**
 * The AuthorizationPort of every domain: a request auth refused as malformed is read as a denial
 * with auth's message as the reason; an auth service that cannot answer throws.
 */
export const authorization = (auth: GrpcAuthClient): AuthorizationPort => ({
  checkPermission: async (userId, permission, resourceId) => {
    const decision = await auth.checkPermission(userId, permission, resourceId);
    return decision.ok ? decision.value : { allowed: false, reason: decision.error.message };
  },
});

/**
 * The project domain's UserDirectory over GetUserContext: inactive users count as unknown. An
 * unknown user is an answer (undefined / false); auth being down throws.
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

/** The HTTP token check over ValidateToken; an auth service that cannot answer throws (503), never a 401. */
export const remoteTokenCheck =
  (auth: GrpcAuthClient): TokenCheck =>
  async (token) => {
    const validation = await auth.validateToken(token);
    if (validation.ok) return validation.value;
    throw new DependencyUnavailableError('auth', `The token could not be checked: ${validation.error.message}`, 'token_check_failed');
  };

const absentOrThrow = <T>(error: DomainFailure, absent: T): T => {
  if (error.kind === 'not_found' || error.kind === 'invalid') return absent;
  throw new DomainFailureError(error);
};

/** A user's email by id; undefined when unknown or when auth cannot answer (callers show '' then). */
export const emailLookup =
  (auth: GrpcAuthClient) =>
  async (userId: string): Promise<string | undefined> => {
    try {
      const user = await auth.getUserContext({ userId });
      return user.ok ? user.value.email : undefined;
    } catch (error) {
      if (error instanceof DependencyUnavailableError) return undefined;
      throw error;
    }
  };
