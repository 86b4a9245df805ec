import type { AuthDeps } from './deps.js';
import { isAdmin, sessionState } from './model.js';
import { permissionsFor, type Permission } from './permissions.js';
import type { TokenRejection } from './ports.js';

export type TokenInvalidReason =
  | 'empty'
  | TokenRejection
  | 'session_not_found'
  | 'session_revoked'
  | 'session_expired'
  | 'user_not_found'
  | 'user_inactive';

export type TokenValidation =
  | {
      readonly valid: true;
      readonly userId: string;
      readonly email: string;
      readonly isAdmin: boolean;
      readonly sessionId: string;
      readonly permissions: readonly Permission[];
      /** Epoch ms when the token expires. */
      readonly expiresAt: number;
    }
  | { readonly valid: false; readonly reason: TokenInvalidReason };

export type ValidateTokenDeps = Pick<AuthDeps, 'tokens' | 'sessions' | 'users' | 'clock'>;

/**
 * Whether a bearer token may be used now: it verifies, its session is live and its user exists and
 * is active. Email, admin flag and permissions come from the user as stored now, not from the token.
 * Never fails: every kind of invalid token is an answer with its reason.
 */
export const validateToken = async (deps: ValidateTokenDeps, token: string): Promise<TokenValidation> => {
  const trimmed = typeof token === 'string' ? token.trim() : '';
  if (trimmed === '') return invalid('empty');

  const verified = await deps.tokens.verify(trimmed);
  if (!verified.ok) return invalid(verified.error);
  const claims = verified.value;

  const session = await deps.sessions.findById(claims.sessionId);
  if (!session || session.userId !== claims.userId) return invalid('session_not_found');
  const state = sessionState(session, deps.clock.now());
  if (state !== 'active') return invalid(state === 'revoked' ? 'session_revoked' : 'session_expired');

  const user = await deps.users.findById(claims.userId);
  if (!user) return invalid('user_not_found');
  if (!user.isActive) return invalid('user_inactive');

  return {
    valid: true,
    userId: user.id,
    email: user.email,
    isAdmin: isAdmin(user),
    sessionId: session.id,
    permissions: permissionsFor(user.roles),
    expiresAt: claims.expiresAt,
  };
};

export interface ValidateSessionInput {
  readonly sessionId: string;
  /** When given, the session must belong to this user. */
  readonly userId?: string;
}

export type SessionValidation =
  | { readonly valid: true; readonly userId: string; readonly expiresAt: number; readonly reason: 'active' }
  | {
      readonly valid: false;
      readonly reason: 'not_found' | 'user_mismatch' | 'revoked' | 'expired' | 'user_not_found' | 'user_inactive';
      /** Known when the session exists. */
      readonly userId?: string;
      readonly expiresAt?: number;
    };

export type ValidateSessionDeps = Pick<AuthDeps, 'sessions' | 'users' | 'clock'>;

/** Whether a session is live now and belongs to an active user (and to `userId` when given). */
export const validateSession = async (deps: ValidateSessionDeps, input: ValidateSessionInput): Promise<SessionValidation> => {
  const session = typeof input.sessionId === 'string' && input.sessionId !== '' ? await deps.sessions.findById(input.sessionId) : undefined;
  if (!session) return { valid: false, reason: 'not_found' };

  const known = { userId: session.userId, expiresAt: session.expiresAt };
  if (input.userId && input.userId !== session.userId) return { valid: false, reason: 'user_mismatch' };
  const state = sessionState(session, deps.clock.now());
  if (state !== 'active') return { valid: false, reason: state, ...known };

  const user = await deps.users.findById(session.userId);
  if (!user) return { valid: false, reason: 'user_not_found', ...known };
  if (!user.isActive) return { valid: false, reason: 'user_inactive', ...known };
  return { valid: true, reason: 'active', ...known };
};

const invalid = (reason: TokenInvalidReason): TokenValidation => ({ valid: false, reason });
