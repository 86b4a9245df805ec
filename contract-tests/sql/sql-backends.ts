import { openServiceDatabase, type ServiceDatabase } from '../../adapters/sql/database.js';
import type { ServiceTables, SqlService } from '../../adapters/sql/sql-services.js';
import { createThrowawayDatabase } from '../../test-support/postgres-fixture.js';
import { testLogger } from '../../test-support/test-logger.js';

/** An opened service database and how to get rid of it (and of the server database behind it). */
export interface BackendDatabase<Tables> {
  readonly database: ServiceDatabase<Tables>;
  dispose(): Promise<void>;
}

/** One of the two drivers the SQL repositories run on. */
export interface SqlBackend {
  readonly name: string;
  open<S extends SqlService>(service: S): Promise<BackendDatabase<ServiceTables[S]>>;
}

const logger = testLogger('sql-tests');

/** PGlite in memory: nothing on disk, gone when closed. */
export const pgliteInMemory: SqlBackend = {
  name: 'PGlite',
  open: async (service) => {
    const database = await openServiceDatabase({ service, dataDir: 'memory://', logger });
    return { database, dispose: () => database.close() };
  },
};

/** A database of its own on the test PostgreSQL server, dropped on dispose. */
export const postgresServer: SqlBackend = {
  name: 'PostgreSQL',
  open: async (service) => {
    const throwaway = await createThrowawayDatabase(service);
    try {
      const database = await openServiceDatabase({ service, url: throwaway.url, dataDir: 'unused', logger, poolSize: 4 });
      return {
        database,
        dispose: async () => {
          await database.close();
          await throwaway.drop();
        },
      };
    } catch (error) {
      await throwaway.drop();
      throw error;
    }
  },
};
