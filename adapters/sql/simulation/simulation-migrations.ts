import type { MigrationSet } from '../run-migrations.js';
import { createSimulationTables } from './migrations/0001-create-simulation-tables.js';
import { createOutboxTable } from './migrations/0002-create-outbox.js';

/** Every migration of the simulation schema, in order. Append only: a released migration never changes. */
export const simulationMigrations: MigrationSet = {
  '0001-create-simulation-tables': createSimulationTables,
  '0002-create-outbox': createOutboxTable,
};
