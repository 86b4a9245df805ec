import { randomUUID } from 'node:crypto';
import type { ResourceGrant, Session, User } from '../../core/auth/model.js';

/**
 * Small builders for the auth contract suites. Ids are random UUIDs and emails unique, so a suite
 * can run against a shared database without cleaning it between tests.
 */

const start = Date.UTC(2026, 0, 1);

export const aUser = (overrides: Partial<User> = {}): User => {
  const id = randomUUID();
  return {
    id,
    email: `user-${id}@example.test`,
    name: 'Ada Lovelace',
    passwordHash: 'scrypt$1024$8$1$c2FsdA$aGFzaA',
    roles: ['user'],
    isActive: true,
    createdAt: start,
    updatedAt: start,
    lastLoginAt: null,
    version: 1,
    ...overrides,
  };
};

export const aSession = (overrides: Partial<Session> = {}): Session => ({
  id: randomUUID(),
  userId: randomUUID(),
  createdAt: start,
  expiresAt: start + 7 * 24 * 3_600_000,
  revokedAt: null,
  ...overrides,
});

export const aGrant = (overrides: Partial<ResourceGrant> = {}): ResourceGrant => ({
  userId: randomUUID(),
  resourceId: randomUUID(),
  role: 'viewer',
  ...overrides,
});

/** Code-unit order, the order the repositories' list methods promise. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
