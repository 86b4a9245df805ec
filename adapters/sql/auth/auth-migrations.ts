import type { MigrationSet } from '../run-migrations.js';
import { createAuthTables } from './migrations/0001-create-auth-tables.js';
import { createTokenTables } from './migrations/0002-create-token-tables.js';
import { createOutboxTable } from './migrations/0003-create-outbox.js';
import { addOutboxTraceparentColumn } from './migrations/0004-add-outbox-traceparent.js';
import { createAdminTables } from './migrations/0005-create-admin-tables.js';
import { createIdempotencyKeysTable } from './migrations/0006-create-idempotency-keys.js';

/** Every migration of the auth schema, in order. Append only: a released migration never changes. */
export const authMigrations: MigrationSet = {
  '0001-create-auth-tables': createAuthTables,
  '0002-create-token-tables': createTokenTables,
  '0003-create-outbox': createOutboxTable,
  '0004-add-outbox-traceparent': addOutboxTraceparentColumn,
  '0005-create-admin-tables': createAdminTables,
  '0006-create-idempotency-keys': createIdempotencyKeysTable,
};
