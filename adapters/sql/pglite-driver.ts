import type { PGliteInterface } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { Int8Oid, parseInt8 } from './int8.js';
import { quoteIdentifier, type SharedPGlite } from './shared-pglite.js';
import { isSqlError } from './sql-errors.js';

/**
 * A kysely Driver for one service on a PGlite instance the process's services may share
 * (SharedPGlite). PGlite is a single PostgreSQL session, so the driver hands out its one connection
 * to one holder at a time, across every service on it: a transaction (BEGIN ... COMMIT as plain
 * statements) keeps it until it ends, and other queries wait instead of landing inside it. Each
 * holder gets the session with `search_path` on its service's schema alone. Inside
 * `db.transaction().execute(trx => ...)` use `trx` only: a query on `db` there would wait for itself.
 */
export class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;

  constructor(
    private readonly database: SharedPGlite,
    /** The schema this driver's queries resolve unqualified names in; undefined: PGlite's default. */
    private readonly schema: string | undefined,
  ) {
    this.connection = new PGliteConnection(database.pglite);
  }

  async init(): Promise<void> {
    await this.database.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.database.acquire(this.schema);
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const access = settings.accessMode ? ` ${settings.accessMode}` : '';
    await connection.executeQuery(CompiledQuery.raw(`start transaction${isolation}${access}`));
  }

  // PostgreSQL answers the COMMIT of a transaction a failed statement aborted with ROLLBACK, a tag
  // PGlite's results do not show; a probe tells instead. Like kysely's pg driver, it then fails
  // with AbortedTransactionError, the transaction ended (rolled back).
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('select 1'));
    } catch (error) {
      if (!isSqlError(error, InFailedTransaction)) throw error;
      await this.rollbackTransaction(connection);
      throw new AbortedTransactionError();
    }
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.database.unlock();
  }

  /** Gives up this service's use of PGlite; the last user closes it (flushing it to its data directory). */
  async destroy(): Promise<void> {
    await this.database.release();
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGliteInterface) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
      parsers: { [Int8Oid]: parseInt8 },
    });
    return {
      rows: result.rows,
      ...(result.affectedRows === undefined ? {} : { numAffectedRows: BigInt(result.affectedRows) }),
    };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGliteDriver does not stream query results');
  }
}

const InFailedTransaction = '25P02';
