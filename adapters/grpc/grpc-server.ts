import { Server, ServerCredentials, type ServerOptions, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Logger } from 'pino';
import type { IdempotentWrites } from '../../core/idempotency/idempotent-writes.js';
import { serialOf, watchIdentityFiles } from '../pki/identity-files-watcher.js';
import type { TlsIdentity } from '../pki/tls-identity.js';
import { MESH_CALLER_ALLOW_LIST, type CallerAllowList } from './caller-allow-list.js';
import { callerCheckInterceptor } from './caller-check.js';
import { grpcServiceName } from './grpc-service-name.js';
import { withIdempotentWrites, type AnswersFromWrites } from './idempotent-write-handlers.js';
import { tracedUnaryMethods } from './grpc-spans.js';
import type { Tracer } from '../observability/tracing/spans.js';
import { withTolerantDeserializers } from './undecodable-request.js';
import { MeshIdentityProvider, meshServerCredentials } from './mesh-tls-credentials.js';
import { meshReflectionPackage } from './reflection-package.js';

export interface GrpcServiceBinding {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
  /** Writes whose answer follows from what they stored: remembered in the write's own transaction (docs/adr/0058). */
  readonly answersFromWrites?: AnswersFromWrites;
}

export interface GrpcServerOptions {
  /** The mesh service this process is (`auth`, `project`, ...), for logs. */
  readonly serviceName: string;
  /** Interface to bind; default `0.0.0.0`. */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (read it back from the result). */
  readonly port: number;
  readonly services: readonly GrpcServiceBinding[];
  readonly logger: Logger;
  /** How long shutdown waits for calls in flight before cancelling them; default 10 s. */
  readonly shutdownGraceMs?: number;
  /** grpc-js server options (keepalive, message size limits, ...). */
  readonly serverOptions?: ServerOptions;
  /** What reflection describes; default the mesh's four protos (reflection-package.ts). */
  readonly reflectionPackage?: PackageDefinition;
  /** Mutual TLS (docs/adr/0021); undefined: plaintext, every caller accepted. */
  readonly tls?: ServerTls;
  /** Where writes sent with an `idempotency-key` are remembered (docs/adr/0058); undefined: keys are ignored. */
  readonly idempotentWrites?: IdempotentWrites;
  /** Records a server span per unary call of `services` (docs/adr/0048); absent: none. */
  readonly tracer?: Tracer | undefined;
}

/** Mutual TLS of a server: its identity, and who may call what (default the mesh's table). */
export interface ServerTls {
  readonly identity: TlsIdentity;
  readonly allowList?: CallerAllowList;
  /** How often the identity's files are looked at for a replaced certificate (docs/adr/0035). Default 5,000 ms; 0: never. */
  readonly reloadIntervalMs?: number;
}

/** The standard health service's statuses; `''` is the whole server. */
export interface GrpcHealth {
  setStatus(service: string, status: ServingStatus): void;
  /** Sets the whole server and every registered service at once. */
  setAll(status: ServingStatus): void;
}

export interface RunningGrpcServer {
  readonly port: number;
  /** `host:port` a local client can dial. */
  readonly address: string;
  readonly server: Server;
  readonly health: GrpcHealth;
  /** NOT_SERVING, then a graceful shutdown bounded by the grace period, then a forced one. Idempotent. */
  shutdown(): Promise<void>;
}

const HEALTH_SERVICE = 'grpc.health.v1.Health';
const DEFAULT_GRACE_MS = 10_000;
const DEFAULT_TLS_RELOAD_MS = 5_000;

/**
 * Starts a gRPC server with the given services, the standard health service (SERVING for '' and
 * each service) and server reflection; with `tls`, clients must present a mesh certificate and
 * pass the caller check (caller-check.ts) before a handler sees their call.
 */
export const startGrpcServer = async (options: GrpcServerOptions): Promise<RunningGrpcServer> => {
  const logger = options.logger.child({ component: 'grpc-server' });
  const { tls } = options;
  const interceptors = [
    ...(tls ? [callerCheckInterceptor(tls.allowList ?? MESH_CALLER_ALLOW_LIST)] : []),
    ...(options.serverOptions?.interceptors ?? []),
  ];
  const server = new Server({ ...options.serverOptions, interceptors });
  const names = options.services.map(({ definition }) => grpcServiceName(definition));
  const { idempotentWrites } = options;
  for (const { definition, implementation, answersFromWrites } of options.services) {
    let served = idempotentWrites
      ? withIdempotentWrites(definition, implementation, idempotentWrites, logger, answersFromWrites)
      : implementation;
    if (options.tracer) served = tracedUnaryMethods(definition, served, options.tracer);
    server.addService(withTolerantDeserializers(definition), served);
  }

  const health = healthOf(new HealthImplementation(), names);
  health.implementation.addToServer(server);
  health.setAll('SERVING');

  const reflectionPackage = options.reflectionPackage ?? meshReflectionPackage();
  // Health is listed only if the reflection package describes it (the default one does not).
  new ReflectionService(reflectionPackage, { services: [...names, HEALTH_SERVICE] }).addToServer(server);

  const host = options.host ?? '0.0.0.0';
  const reloading = tls?.identity.files && tls.reloadIntervalMs !== 0 ? new MeshIdentityProvider(tls.identity) : undefined;
  const serverCredentials = tls ? meshServerCredentials(tls.identity, reloading) : ServerCredentials.createInsecure();
  const port = await bind(server, host, options.port, serverCredentials).catch((error: unknown) => {
    server.forceShutdown();
    throw error;
  });
  const watch = reloading
    ? watchIdentityFiles(reloading.current, {
        intervalMs: tls?.reloadIntervalMs ?? DEFAULT_TLS_RELOAD_MS,
        onChange: (identity) => {
          reloading.update(identity);
          logger.info({ serial: serialOf(identity.certPem), services: identity.services }, 'TLS certificate reloaded');
        },
        onRefused: (error) =>
          logger.warn({ err: error }, 'TLS certificate files changed but were not loaded; serving the previous certificate'),
      })
    : undefined;
  logger.info({ host, port, services: names, tls: tls ? `mutual, as ${tls.identity.services.join('+')}` : 'off' }, 'gRPC server listening');

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    watch?.stop();
    stopping ??= stop(server, health, options.shutdownGraceMs ?? DEFAULT_GRACE_MS, logger);
    return stopping;
  };
  return { port, address: `${dialHost(host)}:${port}`, server, health, shutdown };
};

const healthOf = (implementation: HealthImplementation, names: readonly string[]) => ({
  implementation,
  setStatus: (service: string, status: ServingStatus) => implementation.setStatus(service, status),
  setAll: (status: ServingStatus) => ['', ...names].forEach((name) => implementation.setStatus(name, status)),
});

const bind = (server: Server, host: string, port: number, serverCredentials: ServerCredentials): Promise<number> =>
  new Promise((resolve, reject) => {
    server.bindAsync(`${bracketed(host)}:${port}`, serverCredentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });

const stop = async (server: Server, health: GrpcHealth, graceMs: number, logger: Logger): Promise<void> => {
  health.setAll('NOT_SERVING');
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    new Promise<boolean>((resolve) => server.tryShutdown((error) => resolve(!error))),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!drained) {
    logger.warn({ graceMs }, 'gRPC calls still in flight after the grace period: cancelling them');
    server.forceShutdown();
  }
  logger.info('gRPC server stopped');
};

/** A wildcard bind is dialled on loopback. */
const dialHost = (host: string): string => {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return bracketed(host);
};

const bracketed = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
