import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import { EncryptedSigningKeyRepository } from '../adapters/crypto/encrypted-signing-key-repository.js';
import { loadOrCreateKeyFile, SigningKeyCipher } from '../adapters/crypto/signing-key-cipher.js';
import type { Logger } from '../adapters/observability/logger.js';
import { openServiceDatabase } from '../adapters/sql/database.js';
import { SqlRefreshTokenRepository } from '../adapters/sql/auth/sql-refresh-token-repository.js';
import { SqlResourceGrantRepository } from '../adapters/sql/auth/sql-resource-grant-repository.js';
import { SqlSessionRepository } from '../adapters/sql/auth/sql-session-repository.js';
import { sealStoredSigningKeys } from '../adapters/sql/auth/seal-signing-keys.js';
import { SqlSigningKeyRepository } from '../adapters/sql/auth/sql-signing-key-repository.js';
import { SqlUserRepository } from '../adapters/sql/auth/sql-user-repository.js';
import { SqlAuditLog } from '../adapters/sql/auth/sql-audit-log.js';
import { SqlAnnouncementRepository } from '../adapters/sql/auth/sql-announcement-repository.js';
import { SqlExportRepository } from '../adapters/sql/project/sql-export-repository.js';
import { SqlProjectRepository } from '../adapters/sql/project/sql-project-repository.js';
import { SqlSimulationRepository } from '../adapters/sql/simulation/sql-simulation-repository.js';
import { sqlDependencyProbe } from '../adapters/sql/sql-dependency-probe.js';
import { SqlIdempotencyStore } from '../adapters/sql/idempotency/sql-idempotency-store.js';
import { SqlOutbox } from '../adapters/sql/outbox/sql-outbox.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import type { IdempotentWrites } from '../core/idempotency/idempotent-writes.js';
import type { Kysely } from 'kysely';
import { IDEMPOTENCY_PRUNE_EVERY_MS, idempotentWrites } from './idempotent-writes.js';
import { AuthTokens } from './auth/auth-module.js';
import type { MeshConfig } from './config.js';
import type { ServiceStorage, StatefulService } from './service-storage.js';
import { ProjectTokens } from './project/project-module.js';
import { SimulationTokens } from './simulation/simulation-module.js';

export type { ServiceStorage, StatefulService };

/**
 * Where a service's embedded database lives (docs/adr/0071): the process's one PGlite directory,
 * `DATA_DIR/pglite`, shared by its services (each in its own schema), and the service's own
 * directory of earlier versions, `DATA_DIR/<service>`, whose data moves into it on first start.
 */
export const embeddedDataDirs = (config: MeshConfig, service: StatefulService) => ({
  dataDir: join(config.storage.dataDir, 'pglite'),
  legacyDataDir: join(config.storage.dataDir, service),
});

/**
 * Opens where `service` keeps its state (docs/adr/0014): its PostgreSQL database when a URL is
 * configured, else embedded PostgreSQL (PGlite) under `DATA_DIR/pglite`, one instance shared by
 * the process's services (docs/adr/0071), migrated to the latest schema; or nothing with
 * `MESH_STORAGE=memory`, leaving the in-memory repositories bound.
 */
export const openServiceStorage = async (service: StatefulService, config: MeshConfig, logger: Logger): Promise<ServiceStorage> => {
  if (config.storage.kind === 'memory') return { module: undefined, close: async () => {} };
  switch (service) {
    case 'auth': {
      const { db, close } = await openMigrated('auth', config, logger);
      let cipher: SigningKeyCipher;
      try {
        cipher = await signingKeyCipher(config);
        const sealed = await sealStoredSigningKeys(db, cipher);
        if (sealed > 0) logger.info({ sealed, keyId: cipher.currentKeyId }, 'signing keys sealed under the current key encryption key');
      } catch (error) {
        await close();
        throw error;
      }
      const idempotency = rememberedWrites(db, config, logger);
      return {
        close: async () => {
          idempotency.stop();
          await close();
        },
        probe: sqlDependencyProbe(db),
        module: new ContainerModule(({ rebind }) => {
          const outbox = idempotency.outbox;
          const audit = new SqlAuditLog(db);
          rebind(AuthTokens.users).toConstantValue(new SqlUserRepository(db, outbox, audit));
          rebind(AuthTokens.audit).toConstantValue(audit);
          rebind(AuthTokens.announcements).toConstantValue(new SqlAnnouncementRepository(db, audit, outbox));
          rebind(AuthTokens.outbox).toConstantValue(outbox);
          rebind(AuthTokens.idempotentWrites).toConstantValue(idempotency.writes);
          rebind(AuthTokens.sessions).toConstantValue(new SqlSessionRepository(db, outbox));
          rebind(AuthTokens.grants).toConstantValue(new SqlResourceGrantRepository(db, outbox));
          rebind(AuthTokens.refreshTokens).toConstantValue(new SqlRefreshTokenRepository(db));
          rebind(AuthTokens.signingKeys).toConstantValue(new EncryptedSigningKeyRepository(new SqlSigningKeyRepository(db), cipher));
        }),
      };
    }
    case 'project': {
      const { db, close } = await openMigrated('project', config, logger);
      const idempotency = rememberedWrites(db, config, logger);
      return {
        close: async () => {
          idempotency.stop();
          await close();
        },
        probe: sqlDependencyProbe(db),
        module: new ContainerModule(({ rebind }) => {
          const projects = new SqlProjectRepository(db, idempotency.outbox);
          rebind(ProjectTokens.projects).toConstantValue(projects);
          rebind(ProjectTokens.outbox).toConstantValue(projects.outbox);
          rebind(ProjectTokens.exports).toConstantValue(new SqlExportRepository(db, projects.outbox));
          rebind(ProjectTokens.idempotentWrites).toConstantValue(idempotency.writes);
        }),
      };
    }
    case 'simulation': {
      const { db, close } = await openMigrated('simulation', config, logger);
      const idempotency = rememberedWrites(db, config, logger);
      return {
        close: async () => {
          idempotency.stop();
          await close();
        },
        probe: sqlDependencyProbe(db),
        module: new ContainerModule(({ rebind }) => {
          const repository = new SqlSimulationRepository(db, idempotency.outbox);
          rebind(SimulationTokens.repository).toConstantValue(repository);
          rebind(SimulationTokens.outbox).toConstantValue(repository.outbox);
          rebind(SimulationTokens.idempotentWrites).toConstantValue(idempotency.writes);
        }),
      };
    }
  }
};

/**
 * The service's writes remembered by idempotency key in its schema (docs/adr/0058): the outbox its
 * repositories record through also records the key of the write being served, in the same
 * transaction; expired keys are deleted every 10 minutes until `stop`.
 */
const rememberedWrites = <Tables>(db: Kysely<Tables>, config: MeshConfig, logger: Logger) => {
  const retentionMs = config.storage.idempotencyRetentionMs;
  const store = new SqlIdempotencyStore(db, { retentionMs, clock: new SystemClock() });
  const writes: IdempotentWrites = idempotentWrites(retentionMs, store);
  const pruning = setInterval(() => {
    writes.prune().catch((error: unknown) => logger.warn({ err: error }, 'expired idempotency keys not deleted'));
  }, IDEMPOTENCY_PRUNE_EVERY_MS);
  pruning.unref();
  return {
    writes,
    outbox: new SqlOutbox(db, { keys: store }),
    stop: () => clearInterval(pruning),
  };
};

/** `AUTH_KEY_ENCRYPTION_KEYS` when set, else the generated key file (development; docs/adr/0035). */
const signingKeyCipher = async (config: MeshConfig): Promise<SigningKeyCipher> =>
  new SigningKeyCipher(
    config.auth.keyEncryptionKeys.length > 0
      ? config.auth.keyEncryptionKeys
      : [await loadOrCreateKeyFile(config.auth.keyEncryptionKeyFile ?? join(config.storage.dataDir, 'keys', 'signing-key-encryption.key'))],
  );

const openMigrated = async <S extends StatefulService>(service: S, config: MeshConfig, logger: Logger) => {
  const database = await openServiceDatabase({
    service,
    url: config.storage.databaseUrls[service],
    ...embeddedDataDirs(config, service),
    logger,
    traceQueries: config.tracing !== undefined,
  });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  return { db: database.db, close: () => database.close() };
};
