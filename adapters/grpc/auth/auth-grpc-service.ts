import type { AuthService } from '../../../core/auth/index.js';
import { failure } from '../../../core/shared/errors.js';
import { err, ok } from '../../../core/shared/result.js';
import type { PublishedKey } from '../../crypto/stored-signing-keys.js';
import type { Logger } from '../../observability/logger.js';
import type { AuthServiceServer } from '../generated/auth.js';
import { serviceHealth } from '../service-health.js';
import { announcementMessageOf, auditEntryMessageOf, listAnnouncementsResponseOf, userSummaryOf } from './admin-messages.js';
import { unaryHandler } from '../unary-handler.js';

const requireField = (field: string, value: string) =>
  value.trim() === '' ? err(failure('invalid', 'missing_field', `${field} is required`, [{ field, message: 'is required' }])) : ok(value);

/**
 * `auth.AuthService` over gRPC: maps proto messages to the auth use cases and back. Token and
 * session checks answer `valid: false` with no error (the caller asked a question); a missing id is
 * INVALID_ARGUMENT and an unknown user NOT_FOUND. GetUserContext finds the user by `email` when
 * `user_id` is empty. GetSigningKeys publishes the public keys (never a private one), none when `keys` is not given.
 */
/** The public keys verifying tokens now (StoredSigningKeys). */
export interface PublishedSigningKeys {
  published(): Promise<readonly PublishedKey[]>;
}

export const authGrpcService = (auth: AuthService, logger: Logger, keys?: PublishedSigningKeys): AuthServiceServer => ({
  validateToken: unaryHandler(async ({ token }) => {
    const outcome = await auth.validateToken(token);
    if (!outcome.valid) {
      return { valid: false, userId: '', email: '', isAdmin: false, sessionId: '', permissions: [], expiresAt: 0, reason: outcome.reason };
    }
    return {
      valid: true,
      userId: outcome.userId,
      email: outcome.email,
      isAdmin: outcome.isAdmin,
      sessionId: outcome.sessionId,
      permissions: [...outcome.permissions],
      expiresAt: outcome.expiresAt,
      reason: '',
    };
  }, logger),

  getUserContext: unaryHandler(async ({ userId, email }) => {
    // By email only when no user id is given (project sharing looks users up by email).
    const byEmail = userId.trim() === '' && email !== undefined && email.trim() !== '';
    const id = byEmail ? ok(email) : requireField('user_id', userId);
    if (!id.ok) return id;
    const context = byEmail ? await auth.getUserContextByEmail(email) : await auth.getUserContext(userId);
    if (!context.ok) return context;
    const user = context.value;
    return {
      userId: user.userId,
      email: user.email,
      name: user.name,
      roles: [...user.roles],
      permissions: [...user.permissions],
      isActive: user.isActive,
      lastLogin: user.lastLoginAt ?? 0,
    };
  }, logger),

  checkPermission: unaryHandler(async ({ userId, permission, resourceId }) => {
    const decision = await auth.checkPermission({ userId, permission, resourceId: resourceId || undefined });
    return decision.ok ? ok({ allowed: decision.value.allowed, reason: decision.value.reason }) : decision;
  }, logger),

  validateSession: unaryHandler(async ({ sessionId, userId }) => {
    const id = requireField('session_id', sessionId);
    if (!id.ok) return id;
    const session = await auth.validateSession({ sessionId, userId: userId || undefined });
    return {
      valid: session.valid,
      sessionId,
      userId: session.userId ?? '',
      expiresAt: session.expiresAt ?? 0,
      lastActivityAt: 0,
      reason: session.reason,
    };
  }, logger),

  getUserPermissions: unaryHandler(async ({ userId }) => {
    const id = requireField('user_id', userId);
    if (!id.ok) return id;
    const permissions = await auth.getUserPermissions(userId);
    if (!permissions.ok) return permissions;
    const { roles, permissions: granted } = permissions.value;
    return { userId, roles: [...roles], permissions: [...granted], isAdmin: roles.includes('admin') };
  }, logger),

  getSigningKeys: unaryHandler(async () => {
    // Without keys (a test server with a fixed key), none are published: callers then ask ValidateToken.
    const published = keys ? await keys.published() : [];
    return {
      keys: published.map((key) => ({
        kid: key.kid,
        jwk: JSON.stringify(key.jwk),
        createdAt: key.createdAt,
        retiredAt: key.retiredAt ?? 0,
      })),
    };
  }, logger),

  healthCheck: unaryHandler(async () => serviceHealth('auth'), logger),

  listUsers: unaryHandler(async ({ actorId, pageSize, pageToken }) => {
    const page = await auth.listUsers({ actorId, pageSize, pageToken });
    return page.ok ? ok({ users: page.value.users.map(userSummaryOf), nextPageToken: page.value.nextPageToken }) : page;
  }, logger),

  assignRoles: unaryHandler(async ({ actorId, userId, roles }) => {
    const id = requireField('user_id', userId);
    if (!id.ok) return id;
    const assigned = await auth.assignRoles({ actorId, userId, roles });
    return assigned.ok ? ok({ user: userSummaryOf(assigned.value) }) : assigned;
  }, logger),

  setUserActive: unaryHandler(async ({ actorId, userId, active }) => {
    const changed = await auth.setUserActive({ actorId, userId, active });
    return changed.ok ? ok({ user: userSummaryOf(changed.value.user), sessionsRevoked: changed.value.sessionsRevoked }) : changed;
  }, logger),

  publishAnnouncement: unaryHandler(async ({ actorId, kind, message, startsAt, endsAt }) => {
    const published = await auth.publishAnnouncement({ actorId, kind, message, startsAt, endsAt });
    return published.ok ? ok({ announcement: announcementMessageOf(published.value) }) : published;
  }, logger),

  listAuditLog: unaryHandler(async ({ actorId, pageSize, pageToken }) => {
    const page = await auth.listAuditLog({ actorId, pageSize, pageToken });
    return page.ok ? ok({ entries: page.value.entries.map(auditEntryMessageOf), nextPageToken: page.value.nextPageToken }) : page;
  }, logger),

  listAnnouncements: unaryHandler(async () => listAnnouncementsResponseOf(await auth.listCurrentAnnouncements()), logger),
});
