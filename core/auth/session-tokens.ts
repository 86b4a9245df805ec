import type { AuthDeps } from './deps.js';
import { isAdmin, toProfile, type Profile, type Session, type User } from './model.js';

/** What a login or a refresh gives the client. */
export interface LoginOutcome {
  readonly token: string;
  /** Epoch ms when the access token expires (never after the session does). */
  readonly expiresAt: number;
  /** Opaque, single use: exchanged at `/auth/refresh` for the next pair. */
  readonly refreshToken: string;
  /** Epoch ms: the refresh token lives as long as its session. */
  readonly refreshExpiresAt: number;
  readonly sessionId: string;
  readonly user: Profile;
}

export type SessionTokenDeps = Pick<AuthDeps, 'tokens' | 'refreshTokens' | 'opaqueTokens' | 'clock' | 'config'>;

/** Issues an access token and a fresh refresh token (stored as its digest) for a live session. */
export const issueSessionTokens = async (deps: SessionTokenDeps, user: User, session: Session): Promise<LoginOutcome> => {
  const now = deps.clock.now();
  const issued = await deps.tokens.issue({
    userId: user.id,
    sessionId: session.id,
    email: user.email,
    isAdmin: isAdmin(user),
    expiresAt: Math.min(now + deps.config.tokenTtlSeconds * 1000, session.expiresAt),
  });
  const refreshToken = deps.opaqueTokens.generate();
  await deps.refreshTokens.create({
    digest: deps.opaqueTokens.digest(refreshToken),
    sessionId: session.id,
    createdAt: now,
    expiresAt: session.expiresAt,
    usedAt: null,
  });
  return {
    token: issued.token,
    expiresAt: issued.expiresAt,
    refreshToken,
    refreshExpiresAt: session.expiresAt,
    sessionId: session.id,
    user: toProfile(user),
  };
};
