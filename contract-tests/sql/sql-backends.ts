import { openServiceDatabase, type ServiceDatabase } from '../../adapters/sql/database.js';
import { sharedPGlite } from '../../adapters/sql/shared-pglite.js';
import { SqlServices, type ServiceTables, type SqlService } from '../../adapters/sql/sql-services.js';
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

/**
 * PGlite in memory (nothing on disk, gone when closed), shared as `npm start` shares it: the other
 * SQL services are opened and migrated on the same instance, each in its own schema, beside the
 * one under test (docs/adr/0071).
 */
export const pgliteInMemory: SqlBackend = {
  name: 'PGlite',
  open: async (service) => {
    const pglite = await sharedPGlite('memory://');
    const opened: ServiceDatabase<unknown>[] = [];
    const dispose = async () => {
      for (const database of opened.reverse()) await database.close();
      await pglite.release();
    };
    try {
      for (const neighbour of SqlServices.filter((other) => other !== service)) {
        const database = await openServiceDatabase({ service: neighbour, dataDir: 'memory://', pglite, logger });
        opened.push(database as ServiceDatabase<unknown>);
        await database.migrate();
      }
      const database = await openServiceDatabase({ service, dataDir: 'memory://', pglite, logger });
      opened.push(database as ServiceDatabase<unknown>);
      return { database, dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
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
