import type { ResourceGrantRepository, SessionRepository, UserRepository } from '../../core/auth/ports.js';
import { aUser } from '../auth/builders.js';

/**
 * The session and grant contracts invent user ids; the SQL schema wants every session and grant
 * to belong to a stored user (foreign keys). These wrappers store that user first, then delegate.
 */
const ensureUser = async (users: UserRepository, userId: string): Promise<void> => {
  if (await users.findById(userId)) return;
  const stored = await users.create(aUser({ id: userId }));
  if (!stored.ok) throw new Error(`could not store user ${userId} for the contract: ${stored.error}`);
};

export const sessionsOfStoredUsers = (users: UserRepository, sessions: SessionRepository): SessionRepository => ({
  create: async (session, outbox) => {
    await ensureUser(users, session.userId);
    await sessions.create(session, outbox);
  },
  findById: (id) => sessions.findById(id),
  revoke: (id, at, outbox) => sessions.revoke(id, at, outbox),
  revokeAllForUser: (userId, at, exceptSessionId) => sessions.revokeAllForUser(userId, at, exceptSessionId),
});

export const grantsOfStoredUsers = (users: UserRepository, grants: ResourceGrantRepository): ResourceGrantRepository => ({
  grant: async (grant, outbox) => {
    await ensureUser(users, grant.userId);
    await grants.grant(grant, outbox);
  },
  revoke: (userId, resourceId, outbox) => grants.revoke(userId, resourceId, outbox),
  find: (userId, resourceId) => grants.find(userId, resourceId),
  listForResource: (resourceId) => grants.listForResource(resourceId),
  listForUser: (userId) => grants.listForUser(userId),
});
