import type { ResourceGrantRepository, SessionRepository, UserRepository } from '../../core/auth/ports.js';
import { aUser } from '../auth/builders.js';

/**
 * The session and grant contracts invent user ids; the SQL schema wants every session and grant
 * to belong to a stored user (foreign keys). These wrappers store that user first, then delegate.
 */
const ensureUser = async (users: UserRepository, userId: string): Promise<void> => {
  let stored = storedBy.get(users);
  if (!stored) storedBy.set(users, (stored = new Map()));
  const known = stored;
  const storing = (known.get(userId) ?? storeUser(users, userId)).catch((error: unknown) => {
    known.delete(userId);
    throw error;
  });
  known.set(userId, storing);
  await storing;
};

/** Users being stored or stored, by repository and id: concurrent writes of one invented user store it once. */
const storedBy = new WeakMap<UserRepository, Map<string, Promise<void>>>();

const storeUser = async (users: UserRepository, userId: string): Promise<void> => {
  if (await users.findById(userId)) return;
  const created = await users.create(aUser({ id: userId }));
  if (!created.ok) throw new Error(`could not store user ${userId} for the contract: ${created.error}`);
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
    return grants.grant(grant, outbox);
  },
  revoke: (userId, resourceId, outbox) => grants.revoke(userId, resourceId, outbox),
  find: (userId, resourceId) => grants.find(userId, resourceId),
  listForResource: (resourceId) => grants.listForResource(resourceId),
  listForUser: (userId) => grants.listForUser(userId),
});
