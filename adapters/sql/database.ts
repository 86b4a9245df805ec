import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import type { Logger } from '../observability/logger.js';
import { adoptLegacyDataDir } from './legacy-data-dir.js';
import { PGliteDialect } from './pglite-dialect.js';
import { createPostgresPool, redactUrl } from './postgres-pool.js';
import { runMigrations } from './run-migrations.js';
import { sharedPGlite, type SharedPGlite } from './shared-pglite.js';
import { ServiceMigrations, type ServiceTables, type SqlService } from './sql-services.js';
import { TracingDialect, type DatabaseTarget } from './tracing-dialect.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** A service's database, opened: its kysely handle on the service's schema. */
export interface ServiceDatabase<Tables> {
  readonly kind: DatabaseKind;
  /** Queries run in the service's schema (`search_path`); repositories take this. */
  readonly db: Kysely<Tables>;
  /** Applies the pending migrations; resolves their names (empty when up to date). */
  migrate(): Promise<readonly string[]>;
  /** Closes the pool, or gives up the service's use of PGlite (the last service's close closes it and its lock). */
  close(): Promise<void>;
}

export interface OpenServiceDatabaseOptions<S extends SqlService> {
  readonly service: S;
  /** PostgreSQL when set (the configuration's `<SERVICE>_DATABASE_URL`); otherwise embedded PGlite in `dataDir`. */
  readonly url?: string | undefined;
  /**
   * The process's PGlite data directory, e.g. `data/pglite` (created when missing): the services of a
   * process that open the same directory share one PGlite instance, each in its own schema. `memory://`
   * opens an instance of the call's own.
   */
  readonly dataDir: string;
  /**
   * The service's own PGlite directory of earlier versions (`data/auth`, ...): when it exists, its data
   * is moved into `dataDir` once and it is renamed `<dir>.moved` (docs/adr/0071).
   */
  readonly legacyDataDir?: string;
  /** A PGlite instance to share instead of opening `dataDir` (tests: several services on one `memory://`). */
  readonly pglite?: SharedPGlite;
  readonly logger: Logger;
  /** PostgreSQL connections of this process (default 10). */
  readonly poolSize?: number;
  /** A client span per statement run in traced work (docs/adr/0048); off: the dialect as is, nothing added. */
  readonly traceQueries?: boolean;
}

/**
 * Opens the database of `service`: PostgreSQL at `url`, or else embedded PostgreSQL (PGlite) in
 * `dataDir`, shared with the process's other services there. Either way the service's tables live
 * in the schema named after it, so one database holds every service's schema (a single
 * `DATABASE_URL`, or the one PGlite of a process) without any reading another's tables unqualified.
 * A PGlite data directory serves one process at a time (a lock file refuses a second); services in
 * several processes need PostgreSQL. Call `migrate()` before handing `db` to repositories.
 */
export const openServiceDatabase = async <S extends SqlService>(
  options: OpenServiceDatabaseOptions<S>,
): Promise<ServiceDatabase<ServiceTables[S]>> => {
  const { service, logger } = options;
  const url = options.url?.trim();
  const opened = url ? openPostgres(url, options) : await openPGlite(options);
  const db = opened.db as Kysely<ServiceTables[S]>;
  // The caller's logger names the service: a second `service` key would repeat it on the line.
  logger.info({ database: opened.kind, location: opened.location }, 'database opened');
  let closed = false;
  return {
    kind: opened.kind,
    db,
    migrate: async () => {
      const applied = await runMigrations(db, service, ServiceMigrations[service]);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
      return applied;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
};

interface OpenedDatabase {
  readonly kind: DatabaseKind;
  readonly location: string;
  readonly db: Kysely<unknown>;
}

const searchPath = (service: SqlService): CompiledQuery => CompiledQuery.raw(`SET search_path TO "${service}"`);

const openPostgres = (url: string, options: OpenServiceDatabaseOptions<SqlService>): OpenedDatabase => {
  const pool = createPostgresPool(url, options.logger, { max: options.poolSize, applicationName: `meshwork-${options.service}` });
  const dialect = new PostgresDialect({
    pool,
    onCreateConnection: async (connection) => {
      await connection.executeQuery(searchPath(options.service));
    },
  });
  const target = (): DatabaseTarget => {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || parsed.username || 'postgres';
    return {
      namespace: `${database}|${options.service}`,
      server: { address: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 5432) },
    };
  };
  const traced = options.traceQueries ? new TracingDialect(dialect, target()) : dialect;
  return { kind: 'postgres', location: redactUrl(url), db: new Kysely<unknown>({ dialect: traced }) };
};

const openPGlite = async (options: OpenServiceDatabaseOptions<SqlService>): Promise<OpenedDatabase> => {
  const shared = options.pglite ?? (await sharedPGlite(options.dataDir));
  if (options.pglite) shared.retain();
  try {
    if (options.legacyDataDir !== undefined) await adoptLegacyDataDir(shared, options.service, options.legacyDataDir, options.logger);
    const dialect = new PGliteDialect(shared, options.service);
    const traced = options.traceQueries ? new TracingDialect(dialect, { namespace: options.service }) : dialect;
    return { kind: 'pglite', location: shared.location, db: new Kysely<unknown>({ dialect: traced }) };
  } catch (error) {
    await shared.release();
    throw error;
  }
};
