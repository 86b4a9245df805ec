import type { MigrationSet } from '../run-migrations.js';
import { createProjectTables } from './migrations/0001-create-project-tables.js';
import { createExports } from './migrations/0002-create-exports.js';
import { createOutboxTable } from './migrations/0003-create-outbox.js';
import { addProjectRevisions } from './migrations/0004-add-project-revisions.js';
import { createIdempotencyKeysTable } from './migrations/0005-create-idempotency-keys.js';
import { addOutboxTraceparentColumn } from './migrations/0006-add-outbox-traceparent.js';
import { addRevisionsPrunedThrough } from './migrations/0007-add-revisions-pruned-through.js';

/** Every migration of the project schema, in order. Append only: a released migration never changes. */
export const projectMigrations: MigrationSet = {
  '0001-create-project-tables': createProjectTables,
  '0002-create-exports': createExports,
  '0003-create-outbox': createOutboxTable,
  '0004-add-project-revisions': addProjectRevisions,
  '0005-create-idempotency-keys': createIdempotencyKeysTable,
  '0006-add-outbox-traceparent': addOutboxTraceparentColumn,
  '0007-add-revisions-pruned-through': addRevisionsPrunedThrough,
};
