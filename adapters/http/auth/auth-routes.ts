import type { FastifyInstance, FastifyReply } from 'fastify';
import { isThrottled, type AuthService, type LoginOutcome, type Profile } from '../../../core/auth/index.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import {
  loginRoute,
  logoutRoute,
  refreshRoute,
  registerRoute,
  updateProfileRoute,
  type LoginBody,
  type ProfilePatch,
  type RefreshBody,
  type RegisterBody,
} from '../client-api/auth-api.js';
import { unwrap } from '../unwrap.js';
import { authenticate } from './authenticate.js';
import { clientAddress, type AddressTrust } from './client-address.js';

/** A profile as clients see it: snake_case, epoch-ms times. */
export const profileJson = (profile: Profile) => ({
  id: profile.id,
  email: profile.email,
  name: profile.name,
  roles: profile.roles,
  is_active: profile.isActive,
  created_at: profile.createdAt,
  updated_at: profile.updatedAt,
  last_login_at: profile.lastLoginAt,
});

/** What login and refresh answer: the access token, the next refresh token and the user. */
const tokensJson = (outcome: LoginOutcome) => ({
  access_token: outcome.token,
  token_type: 'Bearer',
  expires_at: outcome.expiresAt,
  refresh_token: outcome.refreshToken,
  refresh_expires_at: outcome.refreshExpiresAt,
  session_id: outcome.sessionId,
  user: profileJson(outcome.user),
});

/** A throttled answer tells the client when to come back (whole seconds, at least 1). */
const withRetryAfter = <T>(reply: FastifyReply, outcome: Result<T, DomainFailure>): Result<T, DomainFailure> => {
  if (!outcome.ok && isThrottled(outcome.error)) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(outcome.error.retryAfterMs / 1000))));
  }
  return outcome;
};

/**
 * The auth client API (HTTP/2 + JSON): register, login, refresh, logout, profile. Login is
 * throttled per account and per address (429 with Retry-After). Bodies are checked by
 * schema (400 with field errors); domain rules (password length, email shape, duplicates) come back
 * from the use cases as failures and are rendered by the one problem+json handler.
 */
export interface AuthRouteOptions {
  /** Whose word about the client's address is believed. Default: nobody's; the peer's address counts. */
  readonly addressTrust?: AddressTrust;
}

export const registerAuthRoutes = (app: FastifyInstance, auth: AuthService, options: AuthRouteOptions = {}): void => {
  const trust = options.addressTrust ?? { trustedProxies: [] };
  const check = (token: string) => auth.validateToken(token);

  app.post<{ Body: RegisterBody }>('/auth/register', registerRoute, async (request, reply) => {
    const outcome = await auth.register({ ...request.body, address: clientAddress(request, trust) });
    const profile = unwrap(withRetryAfter(reply, outcome));
    return reply.code(201).send({ user: profileJson(profile) });
  });

  app.post<{ Body: LoginBody }>('/auth/login', loginRoute, async (request, reply) => {
    const outcome = await auth.login({ ...request.body, address: clientAddress(request, trust) });
    return tokensJson(unwrap(withRetryAfter(reply, outcome)));
  });

  app.post<{ Body: RefreshBody }>('/auth/refresh', refreshRoute, async (request) =>
    tokensJson(unwrap(await auth.refresh(request.body.refresh_token))),
  );

  app.post('/auth/logout', logoutRoute, async (request, reply) => {
    const caller = await authenticate(request, check);
    unwrap(await auth.logout(caller.token));
    return reply.code(204).send();
  });

  app.get('/auth/profile', async (request) => {
    const caller = await authenticate(request, check);
    return { user: profileJson(unwrap(await auth.getProfile(caller.userId))) };
  });

  app.patch<{ Body: ProfilePatch }>('/auth/profile', updateProfileRoute, async (request) => {
    const caller = await authenticate(request, check);
    const profile = unwrap(
      await auth.updateProfile({
        userId: caller.userId,
        sessionId: caller.sessionId,
        name: request.body.name,
        currentPassword: request.body.current_password,
        newPassword: request.body.new_password,
      }),
    );
    return { user: profileJson(profile) };
  });
};
