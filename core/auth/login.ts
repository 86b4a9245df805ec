import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { EventChannels } from '../messaging/channels.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { loginEvent, logoutEvent } from './events.js';
import { isAdmin, normaliseEmail, toProfile, type Profile, type Session } from './model.js';
import type { PasswordHasher } from './ports.js';
import { updateUser } from './user-updates.js';
import { checkRequired } from './validation.js';

export interface LoginInput {
  readonly email: string;
  readonly password: string;
}

export interface LoginOutcome {
  readonly token: string;
  /** Epoch ms when the token expires (never after the session does). */
  readonly expiresAt: number;
  readonly sessionId: string;
  readonly user: Profile;
}

export type LoginDeps = Pick<AuthDeps, 'users' | 'sessions' | 'passwords' | 'tokens' | 'events' | 'clock' | 'ids' | 'config'>;

/**
 * Checks the credentials, opens a session and issues an access token for it. An unknown email and
 * a wrong password both run one password verification and give the same `invalid_credentials`.
 */
export const login = async (deps: LoginDeps, input: LoginInput): Promise<Result<LoginOutcome, DomainFailure>> => {
  const violations = [...checkRequired('email', input.email), ...checkRequired('password', input.password)];
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const user = await deps.users.findByEmail(normaliseEmail(input.email));
  const hash = user?.passwordHash ?? (await dummyHashOf(deps.passwords));
  const matches = await deps.passwords.verify(input.password, hash);
  if (!user || !matches) return err(AuthFailures.invalidCredentials());
  if (!user.isActive) return err(AuthFailures.accountDisabled());

  const now = deps.clock.now();
  const session: Session = {
    id: deps.ids.next(),
    userId: user.id,
    createdAt: now,
    expiresAt: now + deps.config.sessionTtlSeconds * 1000,
    revokedAt: null,
  };
  await deps.sessions.create(session);
  const issued = await deps.tokens.issue({
    userId: user.id,
    sessionId: session.id,
    email: user.email,
    isAdmin: isAdmin(user),
    expiresAt: Math.min(now + deps.config.tokenTtlSeconds * 1000, session.expiresAt),
  });
  const stamped = await updateUser(deps.users, user.id, (current) => ({ ...current, lastLoginAt: now }));
  await deps.events.publish(EventChannels.authLogin, loginEvent(user.id, session.id, now));
  return ok({ token: issued.token, expiresAt: issued.expiresAt, sessionId: session.id, user: toProfile(stamped ?? user) });
};

export type LogoutDeps = Pick<AuthDeps, 'sessions' | 'tokens' | 'events' | 'clock'>;

/**
 * Revokes the session the token belongs to. Idempotent: a second logout with the same token
 * succeeds and publishes nothing more. A token that does not verify is `invalid_token`.
 */
export const logout = async (deps: LogoutDeps, token: string): Promise<Result<void, DomainFailure>> => {
  const verified = await deps.tokens.verify(typeof token === 'string' ? token.trim() : '');
  if (!verified.ok) return err(AuthFailures.invalidToken(verified.error));

  const { userId, sessionId } = verified.value;
  const now = deps.clock.now();
  if (await deps.sessions.revoke(sessionId, now)) {
    await deps.events.publish(EventChannels.authLogout, logoutEvent(userId, sessionId, now));
  }
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
