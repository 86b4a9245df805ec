import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
} from 'kysely';
import { PGliteDriver } from './pglite-driver.js';
import type { SharedPGlite } from './shared-pglite.js';

/**
 * kysely on embedded PostgreSQL (PGlite, WASM): PostgreSQL's SQL, so the same queries and
 * migrations run here and on a server. One dialect per service: its queries run with `search_path`
 * on `schema` alone (PGlite's default without one). `Kysely.destroy()` releases the dialect's use
 * of the shared instance; the last release closes it.
 */
export class PGliteDialect implements Dialect {
  constructor(
    private readonly database: SharedPGlite,
    private readonly schema?: string,
  ) {}

  createDriver(): Driver {
    return new PGliteDriver(this.database, this.schema);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
