import { ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import type { Clock } from '../core/shared/clock.js';
import { JoseTokenIssuer, type Ed25519KeyPair } from '../adapters/crypto/jose-token-issuer.js';
import { InMemoryExportRepository } from '../adapters/memory/in-memory-export-repository.js';
import { InMemoryProjectRepository } from '../adapters/memory/in-memory-project-repository.js';
import { InMemoryResourceGrantRepository } from '../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemorySessionRepository } from '../adapters/memory/in-memory-session-repository.js';
import { InMemorySimulationRepository } from '../adapters/memory/in-memory-simulation-repository.js';
import { InMemoryUserRepository } from '../adapters/memory/in-memory-user-repository.js';
import type { Logger } from '../adapters/observability/logger.js';
import { AuthTokens } from './auth/auth-module.js';
import { loadTokenKeys } from './auth/token-keys.js';
import type { MeshConfig } from './config.js';
import { Platform } from './platform-module.js';
import { ProjectTokens } from './project/project-module.js';
import { SimulationTokens } from './simulation/simulation-module.js';
import type { ServiceStorage, StatefulService } from './service-storage.js';
import { openServiceStorage } from './storage.js';

interface Opened {
  readonly storage: Promise<ServiceStorage>;
  users: number;
}

/**
 * The state the instances of one service in this process share (docs/adr/0017): its storage,
 * opened once (a PGlite data directory admits one opener; in-memory repositories are made once),
 * and for auth its token signing keys. Closed when the last instance using it closes it.
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
    const shared = this.config.storage.kind === 'memory' ? inMemoryModule(service) : durable.module;
    if (service !== 'auth') return { module: shared, close: () => durable.close() };
    const keys = await loadTokenKeys(this.config.auth.tokenKeyFile).catch(async (error: unknown) => {
      await durable.close();
      throw error;
    });
    return { module: combined(shared, tokenKeysModule(keys)), close: () => durable.close() };
  }
}

/** Repositories made once, so that every instance of the service in this process sees the same data. */
const inMemoryModule = (service: StatefulService): ContainerModule => {
  switch (service) {
    case 'auth': {
      const [users, sessions, grants] = [new InMemoryUserRepository(), new InMemorySessionRepository(), new InMemoryResourceGrantRepository()];
      return new ContainerModule(({ rebind }) => {
        rebind(AuthTokens.users).toConstantValue(users);
        rebind(AuthTokens.sessions).toConstantValue(sessions);
        rebind(AuthTokens.grants).toConstantValue(grants);
      });
    }
    case 'project': {
      const [projects, exports] = [new InMemoryProjectRepository(), new InMemoryExportRepository()];
      return new ContainerModule(({ rebind }) => {
        rebind(ProjectTokens.projects).toConstantValue(projects);
        rebind(ProjectTokens.exports).toConstantValue(exports);
      });
    }
    case 'simulation': {
      const repository = new InMemorySimulationRepository();
      return new ContainerModule(({ rebind }) => void rebind(SimulationTokens.repository).toConstantValue(repository));
    }
  }
};

const tokenKeysModule = (keyPair: Ed25519KeyPair): ContainerModule =>
  new ContainerModule(({ rebind }) => {
    rebind(AuthTokens.tokens)
      .toResolvedValue((clock: Clock) => JoseTokenIssuer.create({ clock, keyPair }), [Platform.clock])
      .inSingletonScope();
  });

/** One module loading the given ones in order (all synchronous, as `Container.load` needs). */
const combined = (...modules: readonly (ContainerModule | undefined)[]): ContainerModule =>
  new ContainerModule((options: ContainerModuleLoadOptions) => {
    for (const module of modules) void module?.load(options);
  });
