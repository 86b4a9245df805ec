import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { MeshTlsSettings, SuppliedPair } from '../adapters/pki/mesh-pki.js';
import { redisConfigOf, type RedisConfig } from '../adapters/redis/redis-config.js';
import { tracingOf, type TracingSettings } from './observability/tracing-settings.js';
import { isServiceName, ServiceNames, type ServiceName } from './service-names.js';
import { Catalogue, EnvPrefixes } from './settings/catalogue.js';
import { readSettings, type Env } from './settings/read-settings.js';
import type { SettingValues } from './settings/setting.js';

/**
 * The configuration: read from the environment once (in main), every setting validated, every
 * problem reported at once. What each variable means, its default and its bounds live in one
 * place, the catalogue (composition/settings/catalogue.ts; docs/adr/0028).
 */

export { ServiceNames, type ServiceName } from './service-names.js';
export { DefaultPorts } from './settings/catalogue.js';
export type { Env } from './settings/read-settings.js';

type Values = SettingValues<typeof Catalogue>;

export interface ServiceEndpoints {
  readonly grpcPort: number;
  readonly httpPort: number;
}

/** Where this process reaches a service it does not run itself (host:port). */
export interface ServiceTargets {
  readonly grpc: string;
  readonly http: string;
}

export type AuthSettings = Values['auth'];
/** The simulation service's own settings. */
export type SimulationSettings = Values['simulation'];
/** The gateway's settings; `instanceId` is the running instance's (GATEWAY_INSTANCE_ID, else random). */
export type GatewaySettings = Omit<Values['gateway'], 'instanceId'> & { readonly instanceId: string };
/** Registry, discovery, health checks, connection pools, instances (`MESH_*`). */
export type ServiceMeshSettings = Values['mesh'];

/** Where services keep their state. */
export interface StorageSettings {
  readonly kind: Values['storage']['kind'];
  /** Parent of each service's PGlite data directory (`<dataDir>/auth`, ...). */
  readonly dataDir: string;
  /** PostgreSQL per service: `<SERVICE>_DATABASE_URL`, else `DATABASE_URL`; undefined: embedded. */
  readonly databaseUrls: Readonly<Record<'auth' | 'project' | 'simulation', string | undefined>>;
  /** How long writes are remembered by idempotency key (docs/adr/0058). */
  readonly idempotencyRetentionMs: number;
}

export interface MeshConfig {
  readonly logLevel: Values['logLevel'];
  readonly logFormat: Values['logFormat'];
  /** `MESH_SERVICES`: the services this process runs; empty: all four (`--service` wins). */
  readonly services: readonly ServiceName[];
  /** Address the servers bind to. */
  readonly bindHost: string;
  /** Address other services use to reach this process's servers. */
  readonly advertiseHost: string;
  readonly ports: Readonly<Record<ServiceName, ServiceEndpoints>>;
  /** Configured addresses of the services: where they are reached while the registry has no instance of them. */
  readonly targets: Readonly<Record<ServiceName, ServiceTargets>>;
  /** Services whose `<SERVICE>_GRPC_TARGET` is set: their target stands in whenever the registry has none. */
  readonly configuredTargets: readonly ServiceName[];
  /** Layer 3 on Redis (`REDIS_URL` or `REDIS_CLUSTER_NODES`); undefined: in this process (in-memory). */
  readonly redis: RedisConfig | undefined;
  readonly auth: AuthSettings;
  readonly simulation: SimulationSettings;
  /** The gateway's settings; its `instanceId` is set per instance by the launcher. */
  readonly gateway: Values['gateway'];
  readonly storage: StorageSettings;
  readonly clientEntry: Values['clientEntry'];
  readonly metricsToken: string | undefined;
  readonly mesh: ServiceMeshSettings;
  /** Mutual TLS on the gRPC ports (`MESH_TLS*`, on by default; docs/adr/0021). */
  readonly tls: MeshTlsSettings;
  /** Slow-client and connection limits of every service's HTTP port (`HTTP_*`, docs/adr/0036). */
  readonly httpServer: HttpServerLimits;
  /**
   * `MESH_FORWARDING_KEY`: the gateway signs the client address it forwards to auth with it, and auth
   * believes only signed addresses. Unset: a random key per process, so services in one process
   * agree; in separate processes they need the same value (docs/adr/0035).
   */
  readonly forwardingKey: string;
  // --- outbox relay (docs/adr/0038) ---
  /** The relay sending each service's transactional outbox (`OUTBOX_*`). */
  readonly outbox: Values['outbox'];
  // --- end outbox relay ---
  // --- collaboration (docs/adr/0050) ---
  /** How long a collaboration client stays in a session without renewal (`COLLABORATION_PRESENCE_TTL_MS`). */
  readonly collaborationPresenceTtlMs: number;
  // --- end collaboration ---
  /** The grants of CheckPermission kept by project and simulation (`PERMISSION_CACHE_*`, docs/adr/0070). */
  readonly permissionCache: Values['permissionCache'];
  /** OpenTelemetry traces exported over OTLP (`OTEL_*`, docs/adr/0048); undefined: none made, none exported. */
  readonly tracing: TracingSettings | undefined;
  /** Entries each stream family of the specification keeps (`STREAM_RETENTION_*`). */
  readonly streamRetention: Values['streamRetention'];
  /** How the work queues retry a job (`QUEUE_*`). */
  readonly queues: Values['queues'];
  /** Where emails go (`MESH_SMTP_URL`, `MESH_EMAIL_FROM`; docs/adr/0055). */
  readonly email: Values['email'];
}

/** Request timeouts (408 beyond) and the per-address connection cap of the HTTP ports. */
export type HttpServerLimits = Values['httpServer'];

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; throws one ConfigError listing every problem. */
export const loadConfig = (env: Env): MeshConfig => {
  const { values, problems: settingProblems } = readSettings(Catalogue, env);
  const problems = [...settingProblems];
  const { bindHost } = values;
  const advertiseHost = values.advertiseHost ?? (bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost);
  const targets = perService((service) => ({
    grpc: values.targets[service].grpc ?? `${advertiseHost}:${values.ports[service].grpcPort}`,
    http: values.targets[service].http ?? `${advertiseHost}:${values.ports[service].httpPort}`,
  }));
  const redis = redisConfigOf(values.redis);
  if (!redis.ok) problems.push(...redis.error);
  const { storage } = values;
  const config: MeshConfig = {
    logLevel: values.logLevel,
    logFormat: values.logFormat,
    services: values.services.filter(isServiceName),
    bindHost,
    advertiseHost,
    ports: values.ports,
    targets,
    configuredTargets: ServiceNames.filter((service) => values.targets[service].grpc !== undefined),
    redis: redis.ok ? redis.value : undefined,
    auth: values.auth,
    simulation: values.simulation,
    gateway: values.gateway,
    storage: {
      kind: storage.kind,
      dataDir: storage.dataDir,
      databaseUrls: {
        auth: storage.databaseUrls.auth ?? storage.databaseUrl,
        project: storage.databaseUrls.project ?? storage.databaseUrl,
        simulation: storage.databaseUrls.simulation ?? storage.databaseUrl,
      },
      idempotencyRetentionMs: storage.idempotencyRetentionMs,
    },
    clientEntry: values.clientEntry,
    metricsToken: values.metricsToken,
    mesh: values.mesh,
    tls: tlsSettings(values.tls, storage.dataDir, problems),
    httpServer: values.httpServer,
    forwardingKey: values.forwardingKey ?? randomBytes(32).toString('base64url'),
    // --- outbox relay (docs/adr/0038) ---
    outbox: values.outbox,
    // --- end outbox relay ---
    // --- collaboration (docs/adr/0050) ---
    collaborationPresenceTtlMs: values.collaborationPresenceTtlMs,
    // --- end collaboration ---
    permissionCache: values.permissionCache,
    tracing: tracingOf(values.tracing),
    streamRetention: values.streamRetention,
    queues: values.queues,
    email: values.email,
  };
  if (config.outbox.maxBackoffMs < config.outbox.minBackoffMs) {
    problems.push(
      `OUTBOX_RETRY_MAX_MS (${config.outbox.maxBackoffMs}) must be at least OUTBOX_RETRY_MIN_MS (${config.outbox.minBackoffMs})`,
    );
  }
  if (config.mesh.registryTtlMs <= config.mesh.heartbeatMs) {
    problems.push(`MESH_REGISTRY_TTL_MS (${config.mesh.registryTtlMs}) must exceed MESH_HEARTBEAT_MS (${config.mesh.heartbeatMs})`);
  }
  problems.push(...portProblems(config));

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
};

const perService = <T>(make: (service: ServiceName) => T): Record<ServiceName, T> =>
  Object.fromEntries(ServiceNames.map((service) => [service, make(service)])) as Record<ServiceName, T>;

/**
 * Certificates come from `MESH_TLS_CA` with `<SERVICE>_TLS_CERT`/`_KEY` (or the shared
 * `MESH_TLS_CERT`/`_KEY`) when a CA is given, else from the development PKI under `MESH_TLS_DIR`.
 */
const tlsSettings = (tls: Values['tls'], dataDir: string, problems: string[]): MeshTlsSettings => {
  const pair = (prefix: string, read: Values['tls']['shared']): SuppliedPair | undefined => {
    const { certFile, keyFile } = read;
    if (certFile !== undefined && keyFile !== undefined) return { certFile, keyFile };
    if (certFile !== undefined || keyFile !== undefined)
      problems.push(`${prefix}_TLS_CERT and ${prefix}_TLS_KEY go together: set both or neither`);
    return undefined;
  };
  const shared = pair('MESH', tls.shared);
  const supplied = perService((service) => pair(EnvPrefixes[service], tls.supplied[service]) ?? shared);
  if (Object.values(supplied).some((found) => found !== undefined) && tls.caFile === undefined) {
    problems.push('certificates given by path need the CA that signed them: set MESH_TLS_CA');
  }
  return {
    enabled: tls.enabled,
    dir: tls.dir ?? join(dataDir, 'pki'),
    caFile: tls.caFile,
    supplied,
    shared,
    reloadIntervalMs: tls.reloadIntervalMs,
  };
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
  if (config.mesh.healthPort !== undefined && config.mesh.healthPort !== 0) used.push(config.mesh.healthPort);
  const ports = used.filter((port) => port !== 0);
  const duplicates = [...new Set(ports.filter((port, i) => ports.indexOf(port) !== i))];
  const tooHigh = [...new Set(ports.filter((port) => port > 65_535))];
  return [
    ...(duplicates.length > 0 ? [`ports must be distinct; used twice: ${duplicates.join(', ')}`] : []),
    ...(tooHigh.length > 0 ? [`instance ports past 65535 (MESH_INSTANCES x MESH_INSTANCE_PORT_STRIDE): ${tooHigh.join(', ')}`] : []),
  ];
};
