import { ContainerModule } from 'inversify';
import { InMemoryExportRepository } from '../adapters/memory/in-memory-export-repository.js';
import { InMemoryProjectRepository } from '../adapters/memory/in-memory-project-repository.js';
import { InMemoryRefreshTokenRepository } from '../adapters/memory/in-memory-refresh-token-repository.js';
import { InMemoryResourceGrantRepository } from '../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemorySessionRepository } from '../adapters/memory/in-memory-session-repository.js';
import { InMemorySigningKeyRepository } from '../adapters/memory/in-memory-signing-key-repository.js';
import { InMemorySimulationRepository } from '../adapters/memory/in-memory-simulation-repository.js';
import { InMemoryOutbox } from '../adapters/memory/in-memory-outbox.js';
import { InMemoryAuditLog } from '../adapters/memory/in-memory-audit-log.js';
import { InMemoryAnnouncementRepository } from '../adapters/memory/in-memory-announcement-repository.js';
import { InMemoryUserRepository } from '../adapters/memory/in-memory-user-repository.js';
import type { Logger } from '../adapters/observability/logger.js';
import { AuthTokens } from './auth/auth-module.js';
import type { MeshConfig } from './config.js';
import { ProjectTokens } from './project/project-module.js';
import { SimulationTokens } from './simulation/simulation-module.js';
import { idempotentWrites } from './idempotent-writes.js';
import type { ServiceStorage, StatefulService } from './service-storage.js';
import { openServiceStorage } from './storage.js';

interface Opened {
  readonly storage: Promise<ServiceStorage>;
  users: number;
}

/**
 * The state the instances of one service in this process share (docs/adr/0017): its storage,
 * opened once (a PGlite data directory admits one opener; in-memory repositories are made once),
 * and so, for auth, its token signing keys (docs/adr/0022). Closed when the last instance using it closes it.
 */
export class SharedStorage {
  private readonly opened = new Map<StatefulService, Opened>();

  constructor(private readonly config: MeshConfig) {}

  async open(service: StatefulService, logger: Logger): Promise<ServiceStorage> {
    let entry = this.opened.get(service);
    if (!entry) {
      entry = { storage: this.openOnce(service, logger), users: 0 };
      this.opened.set(service, entry);
      entry.storage.catch(() => this.opened.delete(service));
    }
    entry.users += 1;
    const opened = entry;
    const storage = await opened.storage.catch((error: unknown) => {
      opened.users -= 1;
      throw error;
    });
    let closed = false;
    return {
      module: storage.module,
      ...(storage.probe && { probe: storage.probe }),
      close: async () => {
        if (closed) return;
        closed = true;
        opened.users -= 1;
        if (opened.users > 0) return;
        this.opened.delete(service);
        await storage.close();
      },
    };
  }

  private async openOnce(service: StatefulService, logger: Logger): Promise<ServiceStorage> {
    const durable = await openServiceStorage(service, this.config, logger);
    const shared =
      this.config.storage.kind === 'memory' ? inMemoryModule(service, this.config.storage.idempotencyRetentionMs) : durable.module;
    return { module: shared, ...(durable.probe && { probe: durable.probe }), close: () => durable.close() };
  }
}

/** Repositories made once, so that every instance of the service in this process sees the same data. */
const inMemoryModule = (service: StatefulService, idempotencyRetentionMs: number): ContainerModule => {
  switch (service) {
    case 'auth': {
      // One outbox and one audit log for them all: the service's relay sends what each records (docs/adr/0038, 0054).
      const [outbox, audit] = [new InMemoryOutbox(), new InMemoryAuditLog()];
      const [users, announcements] = [new InMemoryUserRepository(outbox, audit), new InMemoryAnnouncementRepository(audit, outbox)];
      const [sessions, grants] = [new InMemorySessionRepository(outbox), new InMemoryResourceGrantRepository(outbox)];
      const [refreshTokens, signingKeys] = [new InMemoryRefreshTokenRepository(), new InMemorySigningKeyRepository()];
      const writes = idempotentWrites(idempotencyRetentionMs);
      return new ContainerModule(({ rebind }) => {
        rebind(AuthTokens.users).toConstantValue(users);
        rebind(AuthTokens.audit).toConstantValue(audit);
        rebind(AuthTokens.announcements).toConstantValue(announcements);
        rebind(AuthTokens.outbox).toConstantValue(outbox);
        rebind(AuthTokens.idempotentWrites).toConstantValue(writes);
        rebind(AuthTokens.sessions).toConstantValue(sessions);
        rebind(AuthTokens.grants).toConstantValue(grants);
        rebind(AuthTokens.refreshTokens).toConstantValue(refreshTokens);
        rebind(AuthTokens.signingKeys).toConstantValue(signingKeys);
      });
    }
    case 'project': {
      const projects = new InMemoryProjectRepository();
      const exports = new InMemoryExportRepository(projects.outbox);
      const writes = idempotentWrites(idempotencyRetentionMs);
      return new ContainerModule(({ rebind }) => {
        rebind(ProjectTokens.projects).toConstantValue(projects);
        rebind(ProjectTokens.outbox).toConstantValue(projects.outbox);
        rebind(ProjectTokens.exports).toConstantValue(exports);
        rebind(ProjectTokens.idempotentWrites).toConstantValue(writes);
      });
    }
    case 'simulation': {
      const repository = new InMemorySimulationRepository();
      const writes = idempotentWrites(idempotencyRetentionMs);
      return new ContainerModule(({ rebind }) => {
        rebind(SimulationTokens.repository).toConstantValue(repository);
        rebind(SimulationTokens.outbox).toConstantValue(repository.outbox);
        rebind(SimulationTokens.idempotentWrites).toConstantValue(writes);
      });
    }
  }
};
