import { describe, expect, it } from 'vitest';
import { getUserContextByEmail } from './access.js';
import type { User } from './model.js';
import type { UserRepository } from './ports.js';

const ada: User = {
  id: 'user-ada',
  email: 'ada@example.com',
  name: 'Ada',
  passwordHash: 'hash',
  roles: ['user'],
  isActive: true,
  createdAt: 1,
  updatedAt: 1,
  lastLoginAt: null,
  version: 1,
};

/** Reads only, by the port's rules: emails compared case-insensitively. */
const usersOf = (...users: User[]): UserRepository => ({
  create: async () => {
    throw new Error('read-only');
  },
  update: async () => {
    throw new Error('read-only');
  },
  findById: async (id) => users.find((user) => user.id === id),
  findByEmail: async (email) => users.find((user) => user.email === email.toLowerCase()),
  list: async () => ({ items: [...users] }),
});

describe('getUserContextByEmail', () => {
  it('finds a user by email whatever its case and surrounding spaces', async () => {
    const found = await getUserContextByEmail({ users: usersOf(ada) }, '  Ada@Example.COM ');

    expect(found).toEqual({
      ok: true,
      value: {
        userId: 'user-ada',
        email: 'ada@example.com',
        name: 'Ada',
        roles: ['user'],
        permissions: expect.arrayContaining(['project:create']),
        isActive: true,
        lastLoginAt: null,
      },
    });
  });

  it('answers user_not_found for an unknown or empty email', async () => {
    const deps = { users: usersOf(ada) };

    expect(await getUserContextByEmail(deps, 'grace@example.com')).toMatchObject({ ok: false, error: { code: 'user_not_found' } });
    expect(await getUserContextByEmail(deps, '  ')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });
});
