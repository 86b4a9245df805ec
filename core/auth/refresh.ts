import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { EventChannels } from '../messaging/channels.js';
import { outboxEvent } from '../messaging/outbox.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { logoutEvent } from './events.js';
import { closeUserSockets } from './user-sockets.js';
import { sessionState } from './model.js';
import { issueSessionTokens, type LoginOutcome } from './session-tokens.js';

export type RefreshDeps = Pick<
  AuthDeps,
  'users' | 'sessions' | 'refreshTokens' | 'opaqueTokens' | 'tokens' | 'clock' | 'config' | 'sockets'
>;

/**
 * Rotates a refresh token: the presented one is spent and a new access token and refresh token
 * are issued for the same session. A spent token presented again within `refreshReuseGraceSeconds`
 * of its first use (two tabs refreshing at once, a retry after a lost answer) gets a fresh pair of
 * the same session too. Presented later (a stolen copy), it ends its whole session, with a logout
 * event so every cache forgets it at once (docs/adr/0035). A logged-out or expired session
 * refreshes nothing.
 */
export const refresh = async (deps: RefreshDeps, refreshToken: string): Promise<Result<LoginOutcome, DomainFailure>> => {
  const presented = typeof refreshToken === 'string' ? refreshToken.trim() : '';
  if (presented === '') return err(AuthFailures.invalidRefreshToken());
  const stored = await deps.refreshTokens.findByDigest(deps.opaqueTokens.digest(presented));
  if (!stored) return err(AuthFailures.invalidRefreshToken());

  const now = deps.clock.now();
  const session = await deps.sessions.findById(stored.sessionId);
  if (!session) return err(AuthFailures.invalidRefreshToken());
  if (stored.usedAt !== null || !(await deps.refreshTokens.markUsed(stored.digest, now))) {
    // Lost the race to mark it used: the winner's time is the first use.
    const usedAt = stored.usedAt ?? (await deps.refreshTokens.findByDigest(stored.digest))?.usedAt ?? now;
    if (!withinGrace(deps, usedAt, now)) {
      // Sockets first, then the revocation with its logout event (outbox): see `logout`.
      await closeUserSockets(deps, { userId: session.userId, sessionId: session.id, reason: 'session_revoked' });
      await deps.sessions.revoke(session.id, now, [outboxEvent(EventChannels.authLogout, logoutEvent(session.userId, session.id, now))]);
      return err(AuthFailures.refreshTokenReused());
    }
  }
  if (stored.expiresAt <= now || sessionState(session, now) !== 'active') return err(AuthFailures.invalidRefreshToken());

  const user = await deps.users.findById(session.userId);
  if (!user) return err(AuthFailures.invalidRefreshToken());
  if (!user.isActive) return err(AuthFailures.accountDisabled());
  return ok(await issueSessionTokens(deps, user, session));
};

const withinGrace = (deps: RefreshDeps, usedAt: number, now: number): boolean => now - usedAt < deps.config.refreshReuseGraceSeconds * 1000;
