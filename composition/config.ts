import { readRedisConfig, type RedisConfig } from '../adapters/redis/redis-config.js';

/**
 * Configuration from the environment, validated once at start. Every problem is reported at once,
 * with the variable, the bad value and what is expected, instead of failing later at a socket.
 */

export const ServiceNames = ['api-gateway', 'auth', 'project', 'simulation'] as const;
export type ServiceName = (typeof ServiceNames)[number];

export interface ServiceEndpoints {
  readonly grpcPort: number;
  readonly httpPort: number;
}

/** Where this process reaches a service it does not run itself (host:port). */
export interface ServiceTargets {
  readonly grpc: string;
  readonly http: string;
}

export interface AuthSettings {
  readonly tokenTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly adminEmails: readonly string[];
  /** scrypt cost N (a power of two). */
  readonly passwordHashCost: number;
}

/** The simulation service's own settings. */
export interface SimulationSettings {
  /** Stream entries per second of a real-time run (10..100). */
  readonly updatesPerSecond: number;
  /** How often a cleanup job is enqueued. */
  readonly cleanupIntervalMs: number;
  /** Finished simulations older than this are deleted by cleanup. */
  readonly retentionMs: number;
}

/** Where services keep their state. */
export interface StorageSettings {
  /** `sql` (embedded PGlite, or PostgreSQL when a URL is set) or `memory` (gone at exit: tests, demos). */
  readonly kind: 'sql' | 'memory';
  /** Parent of each service's PGlite data directory (`<dataDir>/auth`, ...). */
  readonly dataDir: string;
  /** PostgreSQL per service: `<SERVICE>_DATABASE_URL`, else `DATABASE_URL`; undefined: embedded. */
  readonly databaseUrls: Readonly<Record<'auth' | 'project' | 'simulation', string | undefined>>;
}

export interface MeshConfig {
  /** Address the servers bind to. */
  readonly bindHost: string;
  /** Address other services use to reach this process's servers. */
  readonly advertiseHost: string;
  readonly ports: Readonly<Record<ServiceName, ServiceEndpoints>>;
  /** Addresses of the services; those this process runs itself are reached where they are bound. */
  readonly targets: Readonly<Record<ServiceName, ServiceTargets>>;
  readonly logLevel: string;
  /** Layer 3 on Redis (`REDIS_URL` or `REDIS_CLUSTER_NODES`); undefined: in this process (in-memory). */
  readonly redis: RedisConfig | undefined;
  readonly auth: AuthSettings;
  readonly simulation: SimulationSettings;
  readonly storage: StorageSettings;
}

export const DefaultPorts: Readonly<Record<ServiceName, ServiceEndpoints>> = {
  'api-gateway': { grpcPort: 8000, httpPort: 8001 },
  auth: { grpcPort: 9000, httpPort: 9001 },
  project: { grpcPort: 10000, httpPort: 10001 },
  simulation: { grpcPort: 11000, httpPort: 11001 },
};

const envPrefix: Record<ServiceName, string> = {
  'api-gateway': 'GATEWAY',
  auth: 'AUTH',
  project: 'PROJECT',
  simulation: 'SIMULATION',
};

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws one ConfigError listing every problem. */
export const loadConfig = (env: Env = process.env): MeshConfig => {
  const problems: string[] = [];
  const reader = new EnvReader(env, problems);

  const ports = Object.fromEntries(
    ServiceNames.map((service) => {
      const prefix = envPrefix[service];
      const defaults = DefaultPorts[service];
      return [
        service,
        {
          grpcPort: reader.port(`${prefix}_GRPC_PORT`, defaults.grpcPort),
          httpPort: reader.port(`${prefix}_HTTP_PORT`, defaults.httpPort),
        },
      ];
    }),
  ) as Record<ServiceName, ServiceEndpoints>;

  const bindHost = reader.host('MESH_BIND_HOST', '127.0.0.1');
  const advertiseHost = reader.host('MESH_ADVERTISE_HOST', bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost);
  const targets = Object.fromEntries(
    ServiceNames.map((service) => {
      const prefix = envPrefix[service];
      return [
        service,
        {
          grpc: reader.address(`${prefix}_GRPC_TARGET`, `${advertiseHost}:${ports[service].grpcPort}`),
          http: reader.address(`${prefix}_HTTP_TARGET`, `${advertiseHost}:${ports[service].httpPort}`),
        },
      ];
    }),
  ) as Record<ServiceName, ServiceTargets>;
  const sharedDatabaseUrl = reader.postgresUrl('DATABASE_URL');
  const config: MeshConfig = {
    bindHost,
    advertiseHost,
    ports,
    targets,
    logLevel: reader.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    redis: reader.redis(),
    auth: {
      tokenTtlSeconds: reader.integer('AUTH_TOKEN_TTL_SECONDS', 900, 10, 86_400),
      sessionTtlSeconds: reader.integer('AUTH_SESSION_TTL_SECONDS', 7 * 86_400, 60, 365 * 86_400),
      adminEmails: reader.list('AUTH_ADMIN_EMAILS').map((email) => email.toLowerCase()),
      passwordHashCost: reader.powerOfTwo('AUTH_PASSWORD_HASH_COST', 2 ** 15, 2 ** 10, 2 ** 20),
    },
    storage: {
      kind: reader.oneOf('MESH_STORAGE', ['sql', 'memory'], 'sql'),
      dataDir: reader.path('DATA_DIR', './data'),
      databaseUrls: {
        auth: reader.postgresUrl('AUTH_DATABASE_URL') ?? sharedDatabaseUrl,
        project: reader.postgresUrl('PROJECT_DATABASE_URL') ?? sharedDatabaseUrl,
        simulation: reader.postgresUrl('SIMULATION_DATABASE_URL') ?? sharedDatabaseUrl,
      },
    },
    simulation: {
      updatesPerSecond: reader.integer('SIMULATION_UPDATES_PER_SECOND', 10, 10, 100),
      cleanupIntervalMs: 1_000 * reader.integer('SIMULATION_CLEANUP_INTERVAL_SECONDS', 3_600, 60, 86_400),
      retentionMs: 3_600_000 * reader.integer('SIMULATION_RETENTION_HOURS', 168, 1, 87_600),
    },
  };

  const nonEphemeral = ServiceNames.flatMap((s) => [ports[s].grpcPort, ports[s].httpPort]).filter((p) => p !== 0);
  const duplicates = [...new Set(nonEphemeral.filter((p, i) => nonEphemeral.indexOf(p) !== i))];
  if (duplicates.length > 0) problems.push(`ports must be distinct; used twice: ${duplicates.join(', ')}`);

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
};

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}; got '${value}'`);
      return fallback;
    }
    return Number(value);
  }

  port(name: string, fallback: number): number {
    return this.integer(name, fallback, 0, 65_535);
  }

  powerOfTwo(name: string, fallback: number, min: number, max: number): number {
    const value = this.integer(name, fallback, min, max);
    if ((value & (value - 1)) !== 0) {
      this.problems.push(`${name} must be a power of two; got '${value}'`);
      return fallback;
    }
    return value;
  }

  host(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^[A-Za-z0-9.\-:[\]]+$/.test(value)) {
      this.problems.push(`${name} must be a host name or IP address; got '${value}'`);
      return fallback;
    }
    return value;
  }

  address(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(value)) {
      this.problems.push(`${name} must be host:port; got '${value}'`);
      return fallback;
    }
    return value;
  }

  path(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  postgresUrl(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!/^postgres(ql)?:\/\/\S+$/.test(value)) {
      this.problems.push(`${name} must be a postgres:// or postgresql:// URL; got '${value.replace(/:[^:@/]*@/, ':***@')}'`);
      return undefined;
    }
    return value;
  }

  redis(): RedisConfig | undefined {
    const redis = readRedisConfig(this.env);
    if (redis.ok) return redis.value;
    this.problems.push(...redis.error);
    return undefined;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}; got '${value}'`);
      return fallback;
    }
    return value as T;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
}
