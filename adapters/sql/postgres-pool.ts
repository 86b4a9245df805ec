import pg from 'pg';
import type { Logger } from '../observability/logger.js';
import { Int8Oid, parseInt8 } from './int8.js';

export interface PostgresPoolOptions {
  /** Connections per process (default 10). */
  readonly max?: number;
  /** How long to wait for a connection, ms (default 5000): an unreachable server fails instead of hanging. */
  readonly connectionTimeoutMillis?: number;
  readonly applicationName?: string;
}

// int8 as a number, exactly as PGliteDriver parses it; every other type as pg does.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === Int8Oid ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A `pg` pool on `url` whose idle-client errors are logged (unhandled, they would end the process). */
export const createPostgresPool = (url: string, logger: Logger, options: PostgresPoolOptions = {}): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    application_name: options.applicationName ?? 'meshwork',
    types,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed; the pool replaces it'));
  // A connection dropped while checked out (pg_terminate_backend, a failover) emits 'error' on its client, where the pool
  // listens only while it is idle: unhandled, that would end the process. The query in flight fails on its own.
  pool.on('connect', (client) => client.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection in use failed')));
  return pool;
};

/** The URL without its password, for logs. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable database URL>';
  }
};
