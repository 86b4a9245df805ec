import { Metadata } from '@grpc/grpc-js';
import type { Authenticator, Identity } from '../../../core/gateway/index.js';
import { failure, type DomainFailure } from '../../../core/shared/errors.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import type { GrpcAuthClient } from '../auth/auth-grpc-client.js';

export const invalidToken = failure(
  'unauthenticated',
  'token_invalid',
  'The bearer token is not valid: it is malformed, expired, logged out, or not issued by this mesh.',
);

/**
 * Bearer tokens checked by the auth service's ValidateToken (which also checks the session is
 * live). ValidateToken says no reason, so every invalid token is the same 401; an auth service
 * that cannot answer throws `DependencyUnavailableError` (503), never a 401. The gateway's LocalTokenAuthenticator
 * asks through it when its cache cannot answer.
 */
export class GrpcAuthenticator implements Authenticator {
  constructor(private readonly auth: GrpcAuthClient) {}

  async authenticate(token: string, requestId?: string): Promise<Result<Identity, DomainFailure>> {
    if (token.trim() === '') return err(invalidToken);
    const metadata = new Metadata();
    if (requestId) metadata.set('x-request-id', requestId);
    const answer = await this.auth.validateToken(token, { metadata });
    if (!answer.ok) return err(invalidToken);
    const validation = answer.value;
    if (!validation.valid) return err(invalidToken);
    return ok({
      userId: validation.userId,
      sessionId: validation.sessionId,
      email: validation.email,
      isAdmin: validation.isAdmin,
      permissions: validation.permissions,
    });
  }
}
