import type { User } from './model.js';
import type { UserRepository } from './ports.js';

const MaxAttempts = 3;

/**
 * Applies `change` to the stored user with the optimistic version check, re-reading and re-applying
 * on a stale version. Only for changes that are right whatever the concurrent writer did (stamps,
 * absolute role sets). Resolves undefined when the user is gone or stays contended.
 */
export const updateUser = async (users: UserRepository, userId: string, change: (current: User) => User): Promise<User | undefined> => {
  for (let attempt = 0; attempt < MaxAttempts; attempt += 1) {
    const current = await users.findById(userId);
    if (!current) return undefined;
    const stored = await users.update(change(current));
    if (stored.ok) return stored.value;
    if (stored.error !== 'stale_version') return undefined;
  }
  return undefined;
};
