import type { MigrationSet } from '../run-migrations.js';
import { createSimulationTables } from './migrations/0001-create-simulation-tables.js';
import { createOutboxTable } from './migrations/0002-create-outbox.js';
import { createIdempotencyKeysTable } from './migrations/0003-create-idempotency-keys.js';
import { addOutboxTraceparentColumn } from './migrations/0004-add-outbox-traceparent.js';

/** Every migration of the simulation schema, in order. Append only: a released migration never changes. */
export const simulationMigrations: MigrationSet = {
  '0001-create-simulation-tables': createSimulationTables,
  '0002-create-outbox': createOutboxTable,
  '0003-create-idempotency-keys': createIdempotencyKeysTable,
  '0004-add-outbox-traceparent': addOutboxTraceparentColumn,
};
