import type { Kysely } from 'kysely';
import { isGrantRole, type ResourceGrant } from '../../../core/auth/model.js';
import type { ResourceGrantRepository } from '../../../core/auth/ports.js';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import type { SqlOutbox } from '../outbox/sql-outbox.js';
import type { AuthTables, ResourceGrantRow } from './auth-tables.js';

/**
 * ResourceGrantRepository on the auth schema: one row per (user, resource), the user a stored
 * user (foreign key). Lists sort by id code unit by code unit (the id columns are `COLLATE "C"`).
 * Give it the outbox of the user repository, so one relay sends what both record (docs/adr/0038).
 */
export class SqlResourceGrantRepository implements ResourceGrantRepository {
  constructor(
    private readonly db: Kysely<AuthTables>,
    readonly outbox: SqlOutbox,
  ) {}

  async grant(grant: ResourceGrant, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    // A row comes back only when one was inserted or its role changed: a concurrent grant of the same role waits for this one and returns none.
    const change = this.db
      .insertInto('resource_grants')
      .values({ user_id: grant.userId, resource_id: grant.resourceId, role: grant.role })
      .onConflict((conflict) =>
        conflict
          .columns(['user_id', 'resource_id'])
          .doUpdateSet((eb) => ({ role: eb.ref('excluded.role') }))
          .where('resource_grants.role', '<>', (eb) => eb.ref('excluded.role')),
      )
      .returning('user_id');
    return this.outbox.writeWith([change], `user:${grant.userId}`, outbox);
  }

  async revoke(userId: string, resourceId: string, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const change = this.db
      .deleteFrom('resource_grants')
      .where('user_id', '=', userId)
      .where('resource_id', '=', resourceId)
      .returning('user_id');
    return this.outbox.writeWith([change], `user:${userId}`, outbox);
  }

  async find(userId: string, resourceId: string): Promise<ResourceGrant | undefined> {
    const row = await this.db
      .selectFrom('resource_grants')
      .selectAll()
      .where('user_id', '=', userId)
      .where('resource_id', '=', resourceId)
      .executeTakeFirst();
    return row && fromGrantRow(row);
  }

  async listForResource(resourceId: string): Promise<ResourceGrant[]> {
    const rows = await this.db.selectFrom('resource_grants').selectAll().where('resource_id', '=', resourceId).orderBy('user_id').execute();
    return rows.map(fromGrantRow);
  }

  async listForUser(userId: string): Promise<ResourceGrant[]> {
    const rows = await this.db.selectFrom('resource_grants').selectAll().where('user_id', '=', userId).orderBy('resource_id').execute();
    return rows.map(fromGrantRow);
  }
}

const fromGrantRow = (row: ResourceGrantRow): ResourceGrant => {
  if (!isGrantRole(row.role)) throw new Error(`resource grant of ${row.user_id} on ${row.resource_id} has unknown role ${row.role}`);
  return { userId: row.user_id, resourceId: row.resource_id, role: row.role };
};
