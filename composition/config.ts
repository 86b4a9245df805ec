import type { MeshTlsSettings } from '../adapters/pki/mesh-pki.js';
import type { RedisConfig } from '../adapters/redis/redis-config.js';
import { EnvReader, type Env } from './env-reader.js';
import { readMeshSettings, type ServiceMeshSettings } from './mesh/mesh-config.js';
import { ServiceNames, type ServiceName } from './service-names.js';
import { readMeshTlsSettings } from './tls-config.js';

/**
 * Configuration from the environment, validated once at start. Every problem is reported at once,
 * with the variable, the bad value and what is expected, instead of failing later at a socket.
 */

export { ServiceNames, type ServiceName } from './service-names.js';

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
  /** Ed25519 private key (PKCS#8 PEM) imported once into auth's stored signing keys (docs/adr/0022); undefined: none. */
  readonly tokenKeyFile: string | undefined;
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
  /** Configured addresses of the services: where they are reached while the registry has no instance of them. */
  readonly targets: Readonly<Record<ServiceName, ServiceTargets>>;
  /** Services whose `<SERVICE>_GRPC_TARGET` is set: their target stands in whenever the registry has none. */
  readonly configuredTargets: readonly ServiceName[];
  readonly logLevel: string;
  /** Layer 3 on Redis (`REDIS_URL` or `REDIS_CLUSTER_NODES`); undefined: in this process (in-memory). */
  readonly redis: RedisConfig | undefined;
  readonly auth: AuthSettings;
  readonly simulation: SimulationSettings;
  readonly storage: StorageSettings;
  /**
   * `all`: every service serves its own client routes on its HTTP port (the default, for
   * development, as the specification says). `gateway`: project and simulation serve only
   * `/health` (and project its export downloads, which the gateway forwards), leaving the gateway
   * as the clients' entry; auth keeps the account routes the gateway forwards to.
   */
  readonly clientEntry: 'all' | 'gateway';
  /** `METRICS_TOKEN`: when set, `GET /metrics` asks for `Authorization: Bearer <it>` on every port; unset, it is open (for a scraper on a trusted network). */
  readonly metricsToken: string | undefined;
  /** Registry, discovery, health checks, connection pools, instances (`MESH_*`). */
  readonly mesh: ServiceMeshSettings;
  /** Mutual TLS on the gRPC ports (`MESH_TLS*`, on by default; docs/adr/0021). */
  readonly tls: MeshTlsSettings;
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
  const dataDir = reader.path('DATA_DIR', './data');
  const config: MeshConfig = {
    bindHost,
    advertiseHost,
    ports,
    targets,
    configuredTargets: ServiceNames.filter((service) => reader.isSet(`${envPrefix[service]}_GRPC_TARGET`)),
    logLevel: reader.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    redis: reader.redis(),
    auth: {
      tokenTtlSeconds: reader.integer('AUTH_TOKEN_TTL_SECONDS', 900, 10, 86_400),
      sessionTtlSeconds: reader.integer('AUTH_SESSION_TTL_SECONDS', 7 * 86_400, 60, 365 * 86_400),
      adminEmails: reader.list('AUTH_ADMIN_EMAILS').map((email) => email.toLowerCase()),
      passwordHashCost: reader.powerOfTwo('AUTH_PASSWORD_HASH_COST', 2 ** 15, 2 ** 10, 2 ** 20),
      tokenKeyFile: reader.optionalPath('AUTH_TOKEN_KEY_FILE'),
    },
    clientEntry: reader.oneOf('MESH_CLIENT_ENTRY', ['all', 'gateway'], 'all'),
    metricsToken: metricsToken(reader, problems),
    storage: {
      kind: reader.oneOf('MESH_STORAGE', ['sql', 'memory'], 'sql'),
      dataDir,
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
    mesh: readMeshSettings(reader),
    tls: readMeshTlsSettings(reader, dataDir),
  };
  problems.push(...portProblems(config));

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
};

/**
 * Instance `index` of `service` listens on the service's ports + index x `MESH_INSTANCE_PORT_STRIDE`
 * (instance 0 on the configured ports; a port 0 stays 0, any free port).
 */
export const instanceEndpoints = (config: MeshConfig, service: ServiceName, index: number): ServiceEndpoints => {
  const { grpcPort, httpPort } = config.ports[service];
  const offset = index * config.mesh.instancePortStride;
  return { grpcPort: grpcPort === 0 ? 0 : grpcPort + offset, httpPort: httpPort === 0 ? 0 : httpPort + offset };
};

/** Every port of every instance (and the admin port) must be distinct and below 65536. */
const portProblems = (config: MeshConfig): string[] => {
  const used = ServiceNames.flatMap((service) =>
    Array.from({ length: config.mesh.instances[service] }, (_, index) => instanceEndpoints(config, service, index)).flatMap(
      ({ grpcPort, httpPort }) => [grpcPort, httpPort],
    ),
  );
  if (config.mesh.adminPort !== undefined) used.push(config.mesh.adminPort);
  const ports = used.filter((port) => port !== 0);
  const duplicates = [...new Set(ports.filter((port, i) => ports.indexOf(port) !== i))];
  const tooHigh = [...new Set(ports.filter((port) => port > 65_535))];
  return [
    ...(duplicates.length > 0 ? [`ports must be distinct; used twice: ${duplicates.join(', ')}`] : []),
    ...(tooHigh.length > 0 ? [`instance ports past 65535 (MESH_INSTANCES x MESH_INSTANCE_PORT_STRIDE): ${tooHigh.join(', ')}`] : []),
  ];
};

const metricsToken = (reader: EnvReader, problems: string[]): string | undefined => {
  const token = reader.raw('METRICS_TOKEN');
  if (token !== undefined && token.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  return token;
};
