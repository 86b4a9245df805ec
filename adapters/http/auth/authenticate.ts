import type { FastifyRequest } from 'fastify';
import type { TokenInvalidReason, TokenValidation } from '../../../core/auth/index.js';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';
import { bearerToken } from '../bearer-token.js';
import { unwrap } from '../unwrap.js';

/** Who is calling, as a valid bearer token says. */
export interface Caller {
  readonly token: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly email: string;
  readonly isAdmin: boolean;
  readonly permissions: readonly string[];
}

/** Answers whether a token is valid: the auth domain in the auth service, a gRPC call elsewhere. */
export type TokenCheck = (token: string) => Promise<TokenValidation>;

const reasonText: Record<TokenInvalidReason, string> = {
  empty: 'The bearer token is empty.',
  malformed: 'The bearer token is not a well-formed token.',
  bad_signature: 'The bearer token was not issued by this mesh.',
  expired: 'The bearer token has expired; log in again.',
  session_not_found: 'The session of this token does not exist.',
  session_revoked: 'The session of this token has been logged out.',
  session_expired: 'The session of this token has expired; log in again.',
  user_not_found: 'The user of this token no longer exists.',
  user_inactive: 'The user of this token is deactivated.',
};

/** The caller of a request with a valid `Authorization: Bearer` token; otherwise throws a 401 failure. */
export const authenticate = async (request: FastifyRequest, check: TokenCheck): Promise<Caller> => {
  const token = unwrap(bearerToken(request.headers.authorization));
  const validation = await check(token);
  if (!validation.valid) {
    throw new DomainFailureError(failure('unauthenticated', `token_${validation.reason}`, reasonText[validation.reason]));
  }
  return {
    token,
    userId: validation.userId,
    sessionId: validation.sessionId,
    email: validation.email,
    isAdmin: validation.isAdmin,
    permissions: validation.permissions,
  };
};
