import { authMigrations } from './auth/auth-migrations.js';
import type { AuthTables } from './auth/auth-tables.js';
import { projectMigrations } from './project/project-migrations.js';
import type { ProjectTables } from './project/project-tables.js';
import type { MigrationSet } from './run-migrations.js';
import { simulationMigrations } from './simulation/simulation-migrations.js';
import type { SimulationTables } from './simulation/simulation-tables.js';

/** The services that keep state in SQL. Each owns one PostgreSQL schema of the same name. */
export const SqlServices = ['auth', 'project', 'simulation'] as const;
export type SqlService = (typeof SqlServices)[number];

/** The tables of each service's schema. */
export interface ServiceTables {
  auth: AuthTables;
  project: ProjectTables;
  simulation: SimulationTables;
}

export const ServiceMigrations: Readonly<Record<SqlService, MigrationSet>> = {
  auth: authMigrations,
  project: projectMigrations,
  simulation: simulationMigrations,
};
