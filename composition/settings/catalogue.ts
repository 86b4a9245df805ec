import { isIP } from 'node:net';
import { defaultAuthConfig } from '../../core/auth/deps.js';
import { BalancerKinds } from '../../core/resilience/balancer.js';
import { DEFAULT_CALL_TIMEOUTS_MS } from '../../core/resilience/deadline.js';
import { DefaultRegistration } from '../../core/discovery/registration.js';
import { DEFAULT_MAX_TOTAL_CONNECTIONS, DEFAULT_SERVICE_PRIORITIES } from '../../core/pool-scaling/global-connection-scaler.js';
import { DEFAULT_SIMULATION_SETTINGS } from '../../core/simulation/settings.js';
import { defaultOutboxRelaySettings } from '../../core/messaging/outbox-relay.js';
import { DEFAULT_STREAM_RETENTION } from '../../core/messaging/stream-retention.js';
import { DEFAULT_PERMISSION_CACHE_SETTINGS } from '../../core/shared/permission-cache.js';
import { DEFAULT_HEALTH_INTERVAL_MS } from '../../adapters/grpc/health-checker.js';
import { SMTP_URL_PATTERN } from '../../adapters/email/smtp-email-sender.js';
import { DEFAULT_JOB_CLAIM_IDLE_MS, DEFAULT_JOB_MAX_ATTEMPTS } from '../../adapters/streams/stream-job-queue.js';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../../adapters/http/h2c-http1-server.js';
import { defaultScryptCost } from '../../adapters/crypto/scrypt-password-hasher.js';
import { LogFormats, LogLevels } from '../../adapters/observability/logger.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../adapters/websocket/web-socket-connection.js';
import { WEB_SOCKET_HUB_DEFAULTS } from '../../adapters/websocket/web-socket-hub.js';
import { parseClusterNodes, REDIS_URL_PATTERN } from '../../adapters/redis/redis-config.js';
import { isServiceName, ServiceNames, type ServiceName } from '../service-names.js';
import {
  OtlpProtocols,
  type OtlpProtocol,
  parseKeyValueList,
  parseOtelBoolean,
  parseOtlpProtocol,
  parseOtlpUrl,
  parseRatio,
  Samplers,
} from '../observability/tracing-settings.js';
import {
  address,
  custom,
  flag,
  host,
  integer,
  list,
  oneOf,
  onOff,
  optionalPort,
  port,
  postgresUrl,
  powerOfTwo,
  splitList,
  text,
  type Parsed,
} from './setting.js';

/**
 * Every setting of meshwork, in one tree: the environment variable, what a value must look like,
 * its default and what it does. `loadConfig` reads this tree once; `--help` and
 * docs/configuration.md are generated from it (`npm run docs:config`). Adding a setting is adding
 * one entry here: its value then appears, typed, at the same path of `MeshConfig` (docs/adr/0028).
 */

export const DefaultPorts: Readonly<Record<ServiceName, { readonly grpcPort: number; readonly httpPort: number }>> = {
  'api-gateway': { grpcPort: 8000, httpPort: 8001 },
  auth: { grpcPort: 9000, httpPort: 9001 },
  project: { grpcPort: 10000, httpPort: 10001 },
  simulation: { grpcPort: 11000, httpPort: 11001 },
};

/** The variable prefix of each service (`AUTH_GRPC_PORT`, `GATEWAY_TLS_CERT`, ...). */
export const EnvPrefixes: Readonly<Record<ServiceName, string>> = {
  'api-gateway': 'GATEWAY',
  auth: 'AUTH',
  project: 'PROJECT',
  simulation: 'SIMULATION',
};

export const MAX_INSTANCES_PER_SERVICE = 20;

const perService = <T>(make: (service: ServiceName, prefix: string) => T): { readonly [S in ServiceName]: T } =>
  Object.fromEntries(ServiceNames.map((service) => [service, make(service, EnvPrefixes[service])])) as { readonly [S in ServiceName]: T };

const deadline = (service: 'auth' | 'project' | 'simulation') =>
  integer(
    `GATEWAY_${EnvPrefixes[service]}_TIMEOUT_MS`,
    { default: DEFAULT_CALL_TIMEOUTS_MS[service]!, min: 1, max: 600_000, unit: 'ms' },
    `Deadline of the gateway's calls to ${service}.`,
  );

/** `id:base64,id:base64`: 32-byte keys with short ids (docs/adr/0035). */
const parseKeyEncryptionKeys = (value: string): Parsed<readonly { readonly id: string; readonly key: Buffer }[]> => {
  const keys = splitList(value).map((entry) => {
    const [id = '', encoded = ''] = entry.split(':', 2);
    return { id, key: Buffer.from(encoded, 'base64') };
  });
  const bad = keys.filter(({ id, key }) => !/^[A-Za-z0-9_.-]{1,32}$/.test(id) || key.length !== 32);
  return bad.length > 0
    ? { problem: `entries must be id:base64 of 32 bytes; bad ids '${bad.map(({ id }) => id).join("', '")}'` }
    : { value: keys };
};

const rate = (env: string, fallback: number, description: string) =>
  integer(env, { default: fallback, min: 1, max: 1_000_000 }, description);

/** `api-gateway=3,auth=2`: services not named run one instance. */
const parseInstances = (value: string): Parsed<Readonly<Record<ServiceName, number>>> => {
  const counts = Object.fromEntries(ServiceNames.map((service) => [service, 1])) as Record<ServiceName, number>;
  const bad: string[] = [];
  for (const entry of splitList(value)) {
    const match = /^([a-z-]+)=(\d+)$/.exec(entry);
    const count = Number(match?.[2]);
    if (!match || !isServiceName(match[1]!) || count < 1 || count > MAX_INSTANCES_PER_SERVICE) bad.push(entry);
    else counts[match[1] as ServiceName] = count;
  }
  return bad.length > 0
    ? {
        problem: `entries must be <service>=<1-${MAX_INSTANCES_PER_SERVICE}> with a service from ${ServiceNames.join(', ')}; got '${bad.join("', '")}'`,
      }
    : { value: counts };
};

const parsePriorities = (value: string): Parsed<readonly ServiceName[]> => {
  const names = splitList(value);
  const valid = names.every(isServiceName) && new Set(names).size === names.length;
  return valid
    ? { value: names.filter(isServiceName) }
    : { problem: `must list services from ${ServiceNames.join(', ')}, each once; got '${value}'` };
};

const parseNodes = (value: string) => {
  const nodes = parseClusterNodes(value);
  if (nodes.ok) return { value: nodes.value };
  const bad = nodes.error.map((problem) => /got '(.*)'$/.exec(problem)?.[1]).filter((item) => item !== undefined);
  return { problem: bad.length > 0 ? `entries must be host:port; got '${bad.join("', '")}'` : 'lists no node' };
};

const tlsPair = (prefix: string, whose: string) => ({
  certFile: text(
    `${prefix}_TLS_CERT`,
    { default: undefined },
    `Certificate (PEM) of ${whose}, signed by MESH_TLS_CA; with ${prefix}_TLS_KEY.`,
  ),
  keyFile: text(`${prefix}_TLS_KEY`, { default: undefined }, `Private key (PEM) of ${prefix}_TLS_CERT.`),
});

/** Entries a stream family keeps (MAXLEN ~), trimmed by the stream store on every append. */
const retention = (name: string, stream: string, family: keyof typeof DEFAULT_STREAM_RETENTION, also = '') =>
  integer(
    `STREAM_RETENTION_${name}`,
    { default: DEFAULT_STREAM_RETENTION[family], min: 1, max: 100_000_000 },
    `Entries each ${stream} keeps; older ones are trimmed (MAXLEN ~, a few more may stay).${also}`,
  );

export const Catalogue = {
  logLevel: oneOf('LOG_LEVEL', LogLevels, 'info', 'Least severe level of the JSON log lines written on stdout.'),
  logFormat: oneOf(
    'LOG_FORMAT',
    LogFormats,
    'auto',
    '`json`: one JSON object a line; `pretty`: coloured lines for a person and a start banner; `auto`: pretty when stdout is a terminal.',
  ),
  services: list(
    'MESH_SERVICES',
    { expects: `services (${ServiceNames.join(', ')})`, check: isServiceName },
    'Services this process runs, as `--service` (which wins): one per container or pod. Empty: all four.',
  ),
  bindHost: host('MESH_BIND_HOST', '127.0.0.1', 'Interface the servers bind to (0.0.0.0 for all).'),
  advertiseHost: host(
    'MESH_ADVERTISE_HOST',
    undefined,
    'Address other services use to reach this process (registered in the service registry).',
    'MESH_BIND_HOST; 127.0.0.1 when that is 0.0.0.0 or ::',
  ),
  clientEntry: oneOf(
    'MESH_CLIENT_ENTRY',
    ['all', 'gateway'],
    'all',
    '`all`: every service serves its own client routes (development). `gateway`: project and simulation serve only /health ' +
      '(project keeps export downloads, auth its account routes, which the gateway forwards to).',
  ),
  // Issue 14 (docs/adr/0035): the gateway signs the client address it forwards to auth with it.
  forwardingKey: text(
    'MESH_FORWARDING_KEY',
    { default: undefined, defaultText: 'random per process', minLength: 32, secret: true },
    'Key the gateway signs forwarded client addresses with and auth checks them by; set one value for separate processes.',
  ),
  metricsToken: text(
    'METRICS_TOKEN',
    { default: undefined, minLength: 16, secret: true },
    'When set, GET /metrics on every port answers only `Authorization: Bearer <token>`; unset, it is open to any scraper.',
  ),
  ports: perService((service, prefix) => ({
    grpcPort: port(`${prefix}_GRPC_PORT`, DefaultPorts[service].grpcPort, `gRPC port of ${service} (0: any free port).`),
    httpPort: port(`${prefix}_HTTP_PORT`, DefaultPorts[service].httpPort, `HTTP/2 + HTTP/1.1 port of ${service} (0: any free port).`),
  })),
  targets: perService((service, prefix) => ({
    grpc: address(
      `${prefix}_GRPC_TARGET`,
      `MESH_ADVERTISE_HOST:${prefix}_GRPC_PORT`,
      `Where to reach ${service}'s gRPC while the registry has no instance of it.`,
    ),
    http: address(
      `${prefix}_HTTP_TARGET`,
      `MESH_ADVERTISE_HOST:${prefix}_HTTP_PORT`,
      `Where to reach ${service}'s HTTP while the registry has no instance of it.`,
    ),
  })),
  storage: {
    kind: oneOf(
      'MESH_STORAGE',
      ['sql', 'memory'],
      'sql',
      '`sql`: PGlite under DATA_DIR, or PostgreSQL with a URL; `memory`: nothing kept at exit.',
    ),
    dataDir: text(
      'DATA_DIR',
      { default: './data' },
      'Where the process keeps its files: the embedded database of its services (DATA_DIR/pglite), keys, certificates, mail.',
    ),
    databaseUrl: postgresUrl('DATABASE_URL', 'PostgreSQL for every stateful service (each in its own schema); unset: embedded PGlite.'),
    databaseUrls: {
      auth: postgresUrl('AUTH_DATABASE_URL', "PostgreSQL of auth's state.", 'DATABASE_URL'),
      project: postgresUrl('PROJECT_DATABASE_URL', "PostgreSQL of project's state.", 'DATABASE_URL'),
      simulation: postgresUrl('SIMULATION_DATABASE_URL', "PostgreSQL of simulation's state.", 'DATABASE_URL'),
    },
    idempotencyRetentionMs: integer(
      'IDEMPOTENCY_KEY_RETENTION_HOURS',
      { default: 24, min: 1, max: 720, times: 3_600_000, unit: 'h' },
      'How long a service remembers the outcome of a write by its Idempotency-Key (in its database): a retry within it gets the first answer.',
    ),
  },
  redis: {
    url: custom(
      'REDIS_URL',
      { default: undefined, defaultText: 'unset', expects: 'redis[s]://[user:password@]host:port[/db]', secret: true },
      (value): Parsed<string | undefined> =>
        REDIS_URL_PATTERN.test(value)
          ? { value }
          : {
              problem: `must look like redis://host:port or redis://user:password@host:port/db; got '${value.replace(/:[^:@/]*@/, ':***@')}'`,
            },
      'One Redis server for layer 3 (events, streams, queues, registry); rediss:// for TLS. Unset with REDIS_CLUSTER_NODES: all in this process.',
    ),
    clusterNodes: custom(
      'REDIS_CLUSTER_NODES',
      { default: undefined, defaultText: 'unset', expects: 'comma-separated host:port' },
      parseNodes,
      'Seed nodes of a Redis Cluster (Redis 7+), instead of REDIS_URL.',
    ),
    username: text(
      'REDIS_USERNAME',
      { default: undefined },
      'Redis ACL user (for a cluster, or when not in REDIS_URL); needs REDIS_PASSWORD.',
    ),
    password: text('REDIS_PASSWORD', { default: undefined, secret: true, keepBlanks: true }, "The Redis ACL user's password."),
    tls: oneOf('REDIS_TLS', ['on', 'off'], undefined, 'TLS to Redis: `on` for a cluster over TLS; a rediss:// URL turns it on.'),
    tlsCa: text('REDIS_TLS_CA', { default: undefined, defaultText: 'system CAs' }, "CA (PEM) that signed the Redis server's certificate."),
  },
  auth: {
    tokenTtlSeconds: integer(
      'AUTH_TOKEN_TTL_SECONDS',
      { default: defaultAuthConfig.tokenTtlSeconds, min: 10, max: 86_400, unit: 's' },
      'Access-token lifetime.',
    ),
    sessionTtlSeconds: integer(
      'AUTH_SESSION_TTL_SECONDS',
      { default: defaultAuthConfig.sessionTtlSeconds, min: 60, max: 365 * 86_400, unit: 's' },
      'Session (refresh token) lifetime.',
    ),
    adminEmails: list(
      'AUTH_ADMIN_EMAILS',
      { expects: 'e-mail addresses', normalise: (email) => email.toLowerCase() },
      'Accounts registered with these e-mails get the admin role.',
    ),
    passwordHashCost: powerOfTwo(
      'AUTH_PASSWORD_HASH_COST',
      { default: defaultScryptCost.N, min: 2 ** 10, max: 2 ** 20 },
      'scrypt cost N of password hashes.',
    ),
    tokenKeyFile: text(
      'AUTH_TOKEN_KEY_FILE',
      { default: undefined },
      "Ed25519 private key (PKCS#8 PEM) imported once into auth's database as the signing key; unset: keys are made and kept there (docs/adr/0022).",
    ),
    // --- Auth hardening settings (issue 14, docs/adr/0035) ---
    refreshReuseGraceSeconds: integer(
      'AUTH_REFRESH_REUSE_GRACE_SECONDS',
      { default: defaultAuthConfig.refreshReuseGraceSeconds, min: 0, max: 60, unit: 's' },
      'A spent refresh token presented again this soon after its first use gets a fresh pair of its session (two tabs); later it ends the session. 0: none.',
    ),
    trustedProxies: list(
      'AUTH_TRUSTED_PROXIES',
      { expects: 'IP addresses', check: (item) => isIP(item) !== 0 },
      "Peers of auth's HTTP port whose x-forwarded-for is believed for throttling; empty: none (the gateway's address is signed instead).",
    ),
    passwordHashConcurrency: integer(
      'AUTH_PASSWORD_HASH_CONCURRENCY',
      { default: 2, min: 1, max: 64 },
      'Password hashes and checks running at once (each holds a libuv thread).',
    ),
    passwordHashQueue: integer(
      'AUTH_PASSWORD_HASH_QUEUE',
      { default: 32, min: 0, max: 10_000 },
      'Password hashes, and checks, waiting at most each; past it the answer is 503 password_hashing_busy with Retry-After at once.',
    ),
    registrationsPerAddress: integer(
      'AUTH_REGISTRATIONS_PER_ADDRESS',
      { default: defaultAuthConfig.registrationThrottle.max, min: 1, max: 1_000_000 },
      'Registrations per client address in 15 minutes; 429 too_many_registrations beyond.',
    ),
    keyEncryptionKeys: custom(
      'AUTH_KEY_ENCRYPTION_KEYS',
      { default: [], defaultText: 'unset: AUTH_KEY_ENCRYPTION_KEY_FILE', expects: 'comma-separated id:base64 of 32 bytes', secret: true },
      parseKeyEncryptionKeys,
      "Keys sealing auth's signing keys at rest (AES-256-GCM): the first seals, every one opens, so the key can rotate.",
    ),
    keyEncryptionKeyFile: text(
      'AUTH_KEY_ENCRYPTION_KEY_FILE',
      { default: undefined, defaultText: 'DATA_DIR/keys/signing-key-encryption.key' },
      'Without AUTH_KEY_ENCRYPTION_KEYS (development): a key generated in this file (0600) seals the signing keys.',
    ),
    // --- end of auth hardening settings ---
  },
  simulation: {
    updatesPerSecond: integer(
      'SIMULATION_UPDATES_PER_SECOND',
      { default: DEFAULT_SIMULATION_SETTINGS.updatesPerSecond, min: 10, max: 100 },
      'Stream entries per second of a real-time simulation.',
    ),
    cleanupIntervalMs: integer(
      'SIMULATION_CLEANUP_INTERVAL_SECONDS',
      { default: 3_600, min: 60, max: 86_400, times: 1_000, unit: 's' },
      'How often a cleanup job for old simulations is enqueued.',
    ),
    retentionMs: integer(
      'SIMULATION_RETENTION_HOURS',
      { default: 168, min: 1, max: 87_600, times: 3_600_000, unit: 'h' },
      'Finished simulations older than this are deleted by cleanup.',
    ),
    finishedStreamGraceMs: integer(
      'SIMULATION_FINISHED_STREAM_GRACE_MS',
      { default: DEFAULT_SIMULATION_SETTINGS.finishedStreamGraceMs, min: 0, max: 86_400_000, unit: 'ms' },
      "How long a finished run's `simulation:stream:{id}` is kept for watchers to drain before it is removed (docs/adr/0039).",
    ),
    // ---- Limits (issue 14, docs/adr/0036) ----
    running: {
      perUser: integer(
        'SIMULATION_MAX_RUNNING_PER_USER',
        { default: DEFAULT_SIMULATION_SETTINGS.running.perUser, min: 1, max: 10_000 },
        'Simulations one user may have running at once; one more is refused 429 / RESOURCE_EXHAUSTED.',
      ),
      perProject: integer(
        'SIMULATION_MAX_RUNNING_PER_PROJECT',
        { default: DEFAULT_SIMULATION_SETTINGS.running.perProject, min: 1, max: 10_000 },
        'Simulations one project may have running at once, whoever started them.',
      ),
      graceMs: integer(
        'SIMULATION_RUNNING_GRACE_SECONDS',
        { default: DEFAULT_SIMULATION_SETTINGS.running.graceMs / 1_000, min: 0, max: 86_400, times: 1_000, unit: 's' },
        'A run still marked running stops counting against the limits this long after its planned end (a run its process left behind).',
      ),
    },
    // ---- end of limits ----
  },
  gateway: {
    instanceId: text(
      'GATEWAY_INSTANCE_ID',
      { default: undefined, defaultText: 'gateway-<random>', pattern: /^[A-Za-z0-9._-]{1,64}$/, expects: '1-64 of A-Z a-z 0-9 . _ -' },
      'Names this gateway instance (its notification worker pool, client info, logs); keep it stable across restarts.',
    ),
    corsOrigins: list(
      'GATEWAY_CORS_ORIGINS',
      { expects: 'scheme://host[:port] or *', check: (origin) => origin === '*' || /^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin) },
      "Origins allowed to call the client API (the gateway and each service's own HTTP port) from a browser besides its own; `*` for any. Empty: same origin only.",
    ),
    behindTls: flag('GATEWAY_BEHIND_TLS', 'TLS ends in front of the client ports: send Strict-Transport-Security.'),
    tokenValidation: oneOf(
      'GATEWAY_TOKEN_VALIDATION',
      ['local', 'remote'],
      'local',
      "`local`: token signatures checked with auth's public keys, sessions cached and evicted by auth's events; `remote`: ValidateToken on every request (docs/adr/0022).",
    ),
    perAddress: {
      burst: rate('GATEWAY_RATE_BURST_PER_ADDRESS', 200, 'Client API burst per client address.'),
      perSecond: rate(
        'GATEWAY_RATE_PER_ADDRESS',
        100,
        'Client API requests per second per client address, on every client port; 429 beyond.',
      ),
    },
    perUser: {
      burst: rate('GATEWAY_RATE_BURST_PER_USER', 100, 'Client API burst per authenticated user.'),
      perSecond: rate('GATEWAY_RATE_PER_USER', 50, 'Client API requests per second per authenticated user; 429 beyond.'),
    },
    timeouts: { auth: deadline('auth'), project: deadline('project'), simulation: deadline('simulation') },
    websocket: {
      maxMessageBytes: integer(
        'GATEWAY_WS_MAX_MESSAGE_BYTES',
        { default: WEB_SOCKET_HUB_DEFAULTS.maxMessageBytes, min: 256, max: 16_777_216, unit: 'bytes' },
        'Largest WebSocket frame a client may send.',
      ),
      authTimeoutMs: integer(
        'GATEWAY_WS_AUTH_TIMEOUT_MS',
        { default: WEB_SOCKET_HUB_DEFAULTS.authTimeoutMs, min: 10, max: 600_000, unit: 'ms' },
        'Time a WebSocket client has to authenticate.',
      ),
      heartbeatMs: integer(
        'GATEWAY_WS_HEARTBEAT_MS',
        { default: WEB_SOCKET_HUB_DEFAULTS.heartbeatMs, min: 10, max: 3_600_000, unit: 'ms' },
        'WebSocket ping interval.',
      ),
      // ---- Limits (issue 14, docs/adr/0036) ----
      maxPerUser: integer(
        'GATEWAY_WS_MAX_PER_USER',
        { default: WEB_SOCKET_HUB_DEFAULTS.maxSocketsPerUser, min: 1, max: 100_000 },
        'WebSockets one user may hold open at once; one more is closed with 4429 once authenticated.',
      ),
      // ---- end of limits ----
      connection: {
        highWaterBytes: integer(
          'GATEWAY_WS_HIGH_WATER_BYTES',
          { default: DEFAULT_CONNECTION_LIMITS.highWaterBytes, min: 1_024, max: 268_435_456, unit: 'bytes' },
          "Bound of a slow WebSocket client's send buffer.",
        ),
        maxQueuedMessages: integer(
          'GATEWAY_WS_MAX_QUEUED_MESSAGES',
          { default: DEFAULT_CONNECTION_LIMITS.maxQueuedMessages, min: 1, max: 1_000_000 },
          "Bound of a slow client's queue (oldest metrics dropped first).",
        ),
        maxLagMs: integer(
          'GATEWAY_WS_MAX_LAG_MS',
          { default: DEFAULT_CONNECTION_LIMITS.maxLagMs, min: 10, max: 3_600_000, unit: 'ms' },
          'How long a client may stay behind before it is closed with 1013.',
        ),
      },
    },
  },
  mesh: {
    maxConnections: integer(
      'MESH_MAX_CONNECTIONS',
      { default: DEFAULT_MAX_TOTAL_CONNECTIONS, min: 1, max: 1_000_000 },
      'Cap on the pooled gRPC connections of the process.',
    ),
    priorities: custom(
      'MESH_SERVICE_PRIORITIES',
      {
        default: DEFAULT_SERVICE_PRIORITIES.filter(isServiceName),
        defaultText: DEFAULT_SERVICE_PRIORITIES.join(','),
        expects: 'comma-separated services',
      },
      parsePriorities,
      'Highest first: at the cap, lower-priority pools give connections to higher ones.',
    ),
    healthIntervalMs: integer(
      'MESH_HEALTH_INTERVAL_MS',
      { default: DEFAULT_HEALTH_INTERVAL_MS, min: 100, max: 3_600_000, unit: 'ms' },
      'grpc.health.v1 Check of every target instance while it is healthy (faster after a failure).',
    ),
    heartbeatMs: integer(
      'MESH_HEARTBEAT_MS',
      { default: DefaultRegistration.heartbeatMs, min: 50, max: 600_000, unit: 'ms' },
      'How often an instance refreshes its registry record (and a gateway its clients in the client directory).',
    ),
    registryTtlMs: integer(
      'MESH_REGISTRY_TTL_MS',
      { default: DefaultRegistration.ttlMs, min: 100, max: 3_600_000, unit: 'ms' },
      "How long a record outlives the last heartbeat (a crashed instance's record, a crashed gateway's clients); must exceed MESH_HEARTBEAT_MS.",
    ),
    drainNoticeMs: integer(
      'MESH_DRAIN_NOTICE_MS',
      { default: 250, min: 0, max: 60_000, unit: 'ms' },
      'How long a stopping instance stays registered as draining, still serving, before its servers stop taking calls (so callers move away first).',
    ),
    instances: custom(
      'MESH_INSTANCES',
      { default: perService(() => 1), defaultText: 'one each', expects: 'comma-separated <service>=<n>' },
      parseInstances,
      'Instances of each service this process starts, e.g. api-gateway=3,auth=2 (also --instances).',
    ),
    instancePortStride: integer(
      'MESH_INSTANCE_PORT_STRIDE',
      { default: 100, min: 1, max: 10_000 },
      "Instance i listens on the service's ports + i x stride.",
    ),
    balancer: oneOf(
      'MESH_BALANCER',
      BalancerKinds,
      'round_robin',
      'How a client spreads calls over the instances of a service (p2c_peak_ewma: power of two choices over peak-EWMA latency).',
    ),
    healthPort: optionalPort(
      'MESH_HEALTH_PORT',
      "Serve grpc.health.v1 alone, without TLS, on this port: SERVING once the process's services are registered, NOT_SERVING " +
        'from the start of a shutdown (probes that cannot present a mesh certificate, such as Kubernetes gRPC probes). Unset: not served.',
    ),
    adminPort: optionalPort('MESH_ADMIN_PORT', "Serve GET /mesh (this process's mesh state as JSON) on this port; unset: not served."),
  },
  // ---- Limits (issue 14, docs/adr/0036) ----
  httpServer: {
    requestTimeoutMs: integer(
      'HTTP_REQUEST_TIMEOUT_MS',
      { default: DEFAULT_REQUEST_TIMEOUT_MS, min: 100, max: 3_600_000, unit: 'ms' },
      'Every HTTP port answers 408 to a request whose headers and body have not all arrived within this.',
    ),
    headersTimeoutMs: integer(
      'HTTP_HEADERS_TIMEOUT_MS',
      { default: DEFAULT_HEADERS_TIMEOUT_MS, min: 100, max: 3_600_000, unit: 'ms' },
      'Every HTTP port answers 408 to HTTP/1.1 headers that have not all arrived within this (at most HTTP_REQUEST_TIMEOUT_MS).',
    ),
    maxConnectionsPerAddress: integer(
      'HTTP_MAX_CONNECTIONS_PER_ADDRESS',
      { default: DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, min: 0, max: 1_000_000 },
      'Connections one client address may hold open on each HTTP port; one more is closed at once. 0: no cap.',
    ),
  },
  // ---- end of limits ----
  tls: {
    enabled: onOff(
      'MESH_TLS',
      true,
      'Mutual TLS on every gRPC port and caller allow-lists (SECURITY.md, docs/adr/0021); `off` for plaintext.',
    ),
    dir: text(
      'MESH_TLS_DIR',
      { default: undefined, defaultText: 'DATA_DIR/pki' },
      'The development CA and service certificates, made on first start.',
    ),
    caFile: text(
      'MESH_TLS_CA',
      { default: undefined, defaultText: 'unset: generated' },
      'Supplied CA (a bundle during a rotation); then every certificate is supplied, none generated.',
    ),
    shared: tlsPair('MESH', 'every service of the process (it must name them all)'),
    supplied: perService((service, prefix) => tlsPair(prefix, service)),
    reloadIntervalMs: integer(
      'MESH_TLS_RELOAD_SECONDS',
      { default: 5, min: 0, max: 86_400, times: 1_000, unit: 's' },
      'How often gRPC servers and clients look for replaced certificate, key and CA files, used by new connections (docs/adr/0035); 0: never.',
    ),
  },
  // --- outbox relay (docs/adr/0038) ---
  outbox: {
    batchSize: integer(
      'OUTBOX_BATCH_SIZE',
      { default: defaultOutboxRelaySettings.batchSize, min: 1, max: 10_000 },
      'Outbox entries the relay hands over per round.',
    ),
    minBackoffMs: integer(
      'OUTBOX_RETRY_MIN_MS',
      { default: defaultOutboxRelaySettings.minBackoffMs, min: 10, max: 60_000, unit: 'ms' },
      'First wait of the outbox relay after a failed send (Redis away); doubles up to OUTBOX_RETRY_MAX_MS.',
    ),
    maxBackoffMs: integer(
      'OUTBOX_RETRY_MAX_MS',
      { default: defaultOutboxRelaySettings.maxBackoffMs, min: 10, max: 300_000, unit: 'ms' },
      'Longest wait between two sends of the outbox relay while Redis is away: how late events are once it is back.',
    ),
    pollMs: integer(
      'OUTBOX_POLL_MS',
      { default: defaultOutboxRelaySettings.pollMs, min: 50, max: 600_000, unit: 'ms' },
      'The relay also looks for pending entries this often (entries of other instances, or of one that died); it is woken at once after a local commit.',
    ),
    keepSentMs: integer(
      'OUTBOX_KEEP_SENT_SECONDS',
      { default: defaultOutboxRelaySettings.keepSentMs / 1_000, min: 0, max: 30 * 86_400, times: 1_000, unit: 's' },
      'Sent outbox entries are deleted once this old.',
    ),
  },
  // --- end outbox relay ---
  // --- collaboration (docs/adr/0050) ---
  collaborationPresenceTtlMs: integer(
    'COLLABORATION_PRESENCE_TTL_MS',
    { default: 30_000, min: 1_000, max: 3_600_000, unit: 'ms' },
    'A collaboration client leaves the session this long after its last renewal (the gateway renews every third of it while the socket is open): how long a client of a gateway that died stays listed.',
  ),
  // --- end collaboration ---
  // --- permission cache (docs/adr/0070) ---
  permissionCache: {
    maxEntries: integer(
      'PERMISSION_CACHE_MAX_ENTRIES',
      { default: DEFAULT_PERMISSION_CACHE_SETTINGS.maxEntries, min: 0, max: 10_000_000 },
      "Grants of auth's CheckPermission the project and simulation services keep, per process (least recently used forgotten first); 0: auth is asked on every call.",
    ),
    ttlMs: integer(
      'PERMISSION_CACHE_TTL_MS',
      { default: DEFAULT_PERMISSION_CACHE_SETTINGS.ttlMs, min: 0, max: 3_600_000, unit: 'ms' },
      'Longest a kept grant is believed without asking auth again, should its `auth:events:*` eviction be lost while Redis stayed connected; denials are never kept.',
    ),
  },
  // --- end permission cache ---
  // --- OpenTelemetry traces (docs/adr/0048): the standard OTEL_* variables ---
  tracing: {
    disabled: custom(
      'OTEL_SDK_DISABLED',
      { default: false, defaultText: 'false', expects: 'true or false' },
      parseOtelBoolean,
      '`true`: no traces are exported whatever the other OTEL_* variables say.',
    ),
    endpoint: custom(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      { default: undefined, defaultText: 'unset: no traces', expects: 'http:// or https:// URL' },
      parseOtlpUrl,
      'OTLP/HTTP receiver (an OpenTelemetry Collector, e.g. http://localhost:4318): spans go to its /v1/traces. Unset (and no ' +
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): no spans are made or exported.',
    ),
    tracesEndpoint: custom(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      { default: undefined, defaultText: 'OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces', expects: 'http:// or https:// URL' },
      parseOtlpUrl,
      'Full URL spans are POSTed to, used as is; overrides OTEL_EXPORTER_OTLP_ENDPOINT.',
    ),
    headers: custom(
      'OTEL_EXPORTER_OTLP_HEADERS',
      { default: {}, defaultText: 'none', expects: 'comma-separated key=value, values percent-encoded', secret: true },
      (value) => parseKeyValueList(value, (item) => `${item.split('=', 1)[0]}=***`),
      'Headers of every export request, e.g. an API key of the tracing backend.',
    ),
    protocol: custom<OtlpProtocol>(
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      { default: 'http/protobuf', defaultText: 'http/protobuf', expects: OtlpProtocols.join(' | ') },
      parseOtlpProtocol,
      'Encoding of the export requests: protobuf or JSON over HTTP.',
    ),
    serviceName: text(
      'OTEL_SERVICE_NAME',
      { default: undefined, defaultText: "the mesh service's name (api-gateway, auth, project, simulation)" },
      '`service.name` of the spans of a process running one service; a process running several names each `<value>-<service>`.',
    ),
    resourceAttributes: custom(
      'OTEL_RESOURCE_ATTRIBUTES',
      { default: {}, defaultText: 'none', expects: 'comma-separated key=value, values percent-encoded' },
      (value) => parseKeyValueList(value),
      "More attributes of every span's resource, e.g. deployment.environment.name=staging.",
    ),
    sampler: oneOf(
      'OTEL_TRACES_SAMPLER',
      Samplers,
      'parentbased_always_on',
      "Which traces are recorded; `parentbased_*` follow the caller's sampled flag and sample new traces as the suffix says.",
    ),
    samplerArg: custom<number | undefined>(
      'OTEL_TRACES_SAMPLER_ARG',
      { default: undefined, defaultText: '1.0', expects: 'number from 0 to 1' },
      parseRatio,
      'Share of new traces recorded by the `traceidratio` samplers.',
    ),
    scheduleDelayMs: integer(
      'OTEL_BSP_SCHEDULE_DELAY',
      { default: 5_000, min: 1, max: 600_000, unit: 'ms' },
      'Finished spans are exported in batches at least this often (sooner when 512 are waiting).',
    ),
  },
  // --- end OpenTelemetry traces ---
  // --- stream retention (issue 17) ---
  streamRetention: {
    simulation: retention('SIMULATION', 'simulation:stream:{id} (live samples of one run)', 'simulation'),
    collaboration: retention(
      'COLLABORATION',
      'collaboration:stream:{project_id} (edits, who joined and left)',
      'collaboration',
      ' Also how many versions back an edit may be made against: the project service prunes the revisions of older changes (docs/adr/0063).',
    ),
    notifications: retention('NOTIFICATIONS', "notifications:stream:{user_id} (one user's notifications)", 'notifications'),
    monitoring: retention('MONITORING', 'monitoring:stream:metrics (one summary per process every 10 s)', 'monitoring'),
    health: retention('HEALTH', 'system:stream:health (one entry per instance every 5 s)', 'health'),
    analytics: retention('ANALYTICS', 'analytics:stream:events (logins, projects, runs)', 'analytics'),
  },
  // --- end stream retention ---
  // --- work queues and email (issue 17, docs/adr/0055) ---
  queues: {
    claimIdleMs: integer(
      'QUEUE_RETRY_DELAY_MS',
      { default: DEFAULT_JOB_CLAIM_IDLE_MS, min: 100, max: 3_600_000, unit: 'ms' },
      'A failed job is tried again this long after its attempt, and a job whose worker died goes to another worker this long after its last heartbeat.',
    ),
    maxAttempts: integer(
      'QUEUE_MAX_ATTEMPTS',
      { default: DEFAULT_JOB_MAX_ATTEMPTS, min: 1, max: 1_000 },
      "Attempts of a failing job before it moves to its queue's dead letters (`<queue>:dead`, e.g. async:email:queue:dead).",
    ),
  },
  email: {
    smtpUrl: custom(
      'MESH_SMTP_URL',
      {
        default: undefined,
        defaultText: 'unset: .eml files under DATA_DIR/mail',
        expects: 'smtp://[user:password@]host:port or smtps://...',
        secret: true,
      },
      (value): Parsed<string | undefined> =>
        SMTP_URL_PATTERN.test(value) ? { value } : { problem: `must look like smtp://host:port or smtps://user:password@host:port` },
      'SMTP server that sends the emails (smtps:// for TLS from the start; smtp:// upgrades with STARTTLS when offered).',
    ),
    from: text('MESH_EMAIL_FROM', { default: 'meshwork <no-reply@meshwork.invalid>' }, 'The From of every email meshwork sends.'),
  },
  // --- end work queues and email ---
};
