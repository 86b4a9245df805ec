import type { ResourceGrant } from '../../core/auth/model.js';
import type { ResourceGrantRepository } from '../../core/auth/ports.js';
import type { OutboxMessage } from '../../core/messaging/outbox.js';
import type { InMemoryOutbox } from './in-memory-outbox.js';

/** ResourceGrantRepository in a Map keyed by (resource, user). Stores and returns copies. Give it the user repository's outbox. */
export class InMemoryResourceGrantRepository implements ResourceGrantRepository {
  private readonly grants = new Map<string, ResourceGrant>();

  constructor(readonly outbox: InMemoryOutbox) {}

  async grant(grant: ResourceGrant, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const key = keyOf(grant.userId, grant.resourceId);
    if (this.grants.get(key)?.role === grant.role) return false;
    this.grants.set(key, { ...grant });
    this.outbox.record(`user:${grant.userId}`, outbox);
    return true;
  }

  async revoke(userId: string, resourceId: string, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    if (!this.grants.delete(keyOf(userId, resourceId))) return false;
    this.outbox.record(`user:${userId}`, outbox);
    return true;
  }

  async find(userId: string, resourceId: string): Promise<ResourceGrant | undefined> {
    const grant = this.grants.get(keyOf(userId, resourceId));
    return grant && { ...grant };
  }

  async listForResource(resourceId: string): Promise<ResourceGrant[]> {
    return this.select((grant) => grant.resourceId === resourceId).sort((a, b) => compare(a.userId, b.userId));
  }

  async listForUser(userId: string): Promise<ResourceGrant[]> {
    return this.select((grant) => grant.userId === userId).sort((a, b) => compare(a.resourceId, b.resourceId));
  }

  private select(predicate: (grant: ResourceGrant) => boolean): ResourceGrant[] {
    return [...this.grants.values()].filter(predicate).map((grant) => ({ ...grant }));
  }
}

// A separator that cannot occur in ids typed by people keeps ('a:b', 'c') and ('a', 'b:c') apart.
const keyOf = (userId: string, resourceId: string): string => `${resourceId}\u0000${userId}`;

// Code-unit order, as PostgreSQL's "C" collation sorts, so every adapter lists in the same order.
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
