import type { SqlService } from './sql-services.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The per-service variable, e.g. `PROJECT_DATABASE_URL`. */
export const serviceDatabaseUrlVariable = (service: SqlService): string => `${service.toUpperCase()}_DATABASE_URL`;

/**
 * The PostgreSQL URL a service keeps its state in: `<SERVICE>_DATABASE_URL`, else `DATABASE_URL`,
 * else undefined (embedded PGlite in the service's data directory). Empty values count as unset.
 */
export const databaseUrlFor = (service: SqlService, env: Env = process.env): string | undefined => {
  const url = env[serviceDatabaseUrlVariable(service)]?.trim() || env.DATABASE_URL?.trim();
  return url || undefined;
};
