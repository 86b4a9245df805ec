import type { OutboxMessage } from '../messaging/outbox.js';
import type { User } from './model.js';
import type { UserRepository } from './ports.js';

const MaxAttempts = 3;

/**
 * Applies `change` to the stored user with the optimistic version check, re-reading and re-applying
 * on a stale version. Only for changes that are right whatever the concurrent writer did (stamps,
 * absolute role sets). `outbox` gives the messages that follow the changed user, stored with it.
 * Resolves undefined when the user is gone or stays contended.
 */
export const updateUser = async (
  users: UserRepository,
  userId: string,
  change: (current: User) => User,
  outbox: (changed: User) => readonly OutboxMessage[] = () => [],
): Promise<User | undefined> => {
  for (let attempt = 0; attempt < MaxAttempts; attempt += 1) {
    const current = await users.findById(userId);
    if (!current) return undefined;
    const changed = change(current);
    const stored = await users.update(changed, outbox(changed));
    if (stored.ok) return stored.value;
    if (stored.error !== 'stale_version') return undefined;
  }
  return undefined;
};
