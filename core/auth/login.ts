import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { EventChannels } from '../messaging/channels.js';
import { outboxEvent } from '../messaging/outbox.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { loginEvent, logoutEvent } from './events.js';
import { closeUserSockets } from './user-sockets.js';
import { normaliseEmail, type Session, type User } from './model.js';
import { PasswordHasherBusy, type PasswordHasher } from './ports.js';
import { issueSessionTokens, type LoginOutcome } from './session-tokens.js';
import { updateUser } from './user-updates.js';
import { checkRequired } from './validation.js';

export interface LoginInput {
  readonly email: string;
  readonly password: string;
  /** The client's address, for the per-address throttle; absent when unknown. */
  readonly address?: string;
}

export type { LoginOutcome } from './session-tokens.js';

export type LoginDeps = Pick<
  AuthDeps,
  'users' | 'sessions' | 'refreshTokens' | 'opaqueTokens' | 'passwords' | 'tokens' | 'clock' | 'ids' | 'config' | 'loginThrottle'
>;

/**
 * Checks the credentials, opens a session and issues an access token and a refresh token for it.
 * An unknown email and a wrong password both run one password verification of the same cost and
 * give the same `invalid_credentials`. Failed logins are counted per account (known or not) and per
 * address: each attempt is reserved before its password check and counts unless it succeeds; over the
 * limit the answer is `too_many_login_attempts` and no password is checked.
 */
export const login = async (deps: LoginDeps, input: LoginInput): Promise<Result<LoginOutcome, DomainFailure>> => {
  const violations = [...checkRequired('email', input.email), ...checkRequired('password', input.password)];
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const email = normaliseEmail(input.email);
  // Reserved before the password is checked, so a burst cannot get more checks than the limit (docs/adr/0035).
  const attempt = await deps.loginThrottle.admit(email, input.address);
  if (!attempt.allowed) return err(AuthFailures.tooManyLogins(attempt.retryAfterMs));

  let user: User | undefined;
  let matches: boolean;
  try {
    user = await deps.users.findByEmail(email);
    matches = await deps.passwords.verify(input.password, user?.passwordHash ?? (await dummyHashOf(deps.passwords)));
  } catch (error) {
    // No password was checked (storage away, hasher busy): the attempt is not a failure.
    await attempt.abandon().catch(() => undefined);
    if (error instanceof PasswordHasherBusy) return err(AuthFailures.passwordHashingBusy(error.retryAfterMs));
    throw error;
  }
  if (!user || !matches) return err(AuthFailures.invalidCredentials());
  await attempt.succeeded();
  if (!user.isActive) return err(AuthFailures.accountDisabled());

  const now = deps.clock.now();
  const session: Session = {
    id: deps.ids.next(),
    userId: user.id,
    createdAt: now,
    expiresAt: now + deps.config.sessionTtlSeconds * 1000,
    revokedAt: null,
  };
  // auth:events:login goes with the session (outbox, docs/adr/0046): published once Redis takes it.
  await deps.sessions.create(session, [outboxEvent(EventChannels.authLogin, loginEvent(user.id, session.id, now))]);
  const stamped = await updateUser(deps.users, user.id, (current) => ({ ...current, lastLoginAt: now }));
  return ok(await issueSessionTokens(deps, stamped ?? user, session));
};

export type LogoutDeps = Pick<AuthDeps, 'sessions' | 'tokens' | 'clock' | 'sockets'>;

/**
 * Revokes the session the token belongs to, with its `auth:events:logout` (outbox, docs/adr/0046),
 * after closing its sockets on every gateway so that they hear why (docs/adr/0052): the event may
 * reach the gateways as soon as the revocation commits. Idempotent: a second logout with the same
 * token succeeds and records nothing more. A token that does not verify is `invalid_token`.
 */
export const logout = async (deps: LogoutDeps, token: string): Promise<Result<void, DomainFailure>> => {
  const verified = await deps.tokens.verify(typeof token === 'string' ? token.trim() : '');
  if (!verified.ok) return err(AuthFailures.invalidToken(verified.error));

  const { userId, sessionId } = verified.value;
  const now = deps.clock.now();
  await closeUserSockets(deps, { userId, sessionId, reason: 'logout' });
  await deps.sessions.revoke(sessionId, now, [outboxEvent(EventChannels.authLogout, logoutEvent(userId, sessionId, now))]);
  return ok(undefined);
};

// A hash of a password nobody has, verified when the email is unknown so that the answer takes as
// long as for a wrong password. Made once per hasher, lazily.
const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();

const dummyHashOf = (hasher: PasswordHasher): Promise<string> => {
  let hash = dummyHashes.get(hasher);
  if (!hash) {
    hash = hasher.hash('meshwork-no-such-user-password');
    dummyHashes.set(hasher, hash);
    hash.catch(() => dummyHashes.delete(hasher));
  }
  return hash;
};
