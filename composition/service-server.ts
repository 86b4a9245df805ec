import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { startGrpcServer, type GrpcServiceBinding, type RunningGrpcServer, type ServerTls } from '../adapters/grpc/grpc-server.js';
import { addClientDefences, type ClientDefences } from '../adapters/http/client-api/client-defences.js';
import { createHttpApp } from '../adapters/http/fastify-app.js';
import { listenHttp } from '../adapters/http/listen.js';
import type { WebSocketDoc } from '../adapters/http/client-api/operation-doc.js';
import { registerApiReference } from '../adapters/http/openapi/api-reference-routes.js';
import { documentedOperations } from '../adapters/http/openapi/documented-operations.js';
import { recordRoutes } from '../adapters/http/openapi/recorded-routes.js';
import type { Logger } from '../adapters/observability/logger.js';
import type { IdempotentWrites } from '../core/idempotency/idempotent-writes.js';
import { DomainFailureError, failure } from '../core/shared/errors.js';
import { metricsAccess } from './observability/metrics-access.js';
import { processMetrics } from './observability/process-metrics.js';
import type { HttpServerLimits, ServiceName } from './config.js';

export interface ServiceAddress {
  readonly host: string;
  readonly port: number;
}

/** A started service: both servers bound, ready for traffic. */
export interface RunningService {
  readonly name: ServiceName;
  readonly grpc: ServiceAddress;
  readonly http: ServiceAddress;
  /** Stops taking traffic, drains, and releases what the service owns. Idempotent. */
  stop(): Promise<void>;
}

export interface ServeOptions {
  readonly name: ServiceName;
  readonly bindHost: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logger: Logger;
  readonly grpcServices: readonly GrpcServiceBinding[];
  /** Mutual TLS of the gRPC server (`ServiceContext.grpcTls`); absent: plaintext. */
  readonly grpcTls?: ServerTls | undefined;
  /** Where the service remembers its writes by idempotency key (docs/adr/0058); absent: keys are ignored. */
  readonly idempotentWrites?: IdempotentWrites;
  /** When set, `GET /metrics` answers only `Authorization: Bearer <metricsToken>` (MeshConfig.metricsToken). */
  readonly metricsToken?: string | undefined;
  /** Request timeouts and the per-address connection cap of the HTTP port (MeshConfig.httpServer); absent: the server's defaults. */
  readonly httpServer?: HttpServerLimits | undefined;
  /** The client API's defences (CORS, rate limit, security headers) on every request of the HTTP port. */
  readonly clientDefences?: ClientDefences;
  /** Adds the service's own client routes; `GET /health`, `GET /metrics`, `GET /openapi.json` and `GET /docs` are added for every service. */
  readonly registerRoutes?: (app: FastifyInstance) => void | Promise<void>;
  /** WebSockets the port serves besides its routes, for its API reference. */
  readonly webSockets?: readonly WebSocketDoc[];
  /** Releases what the service owns (workers, subscriptions) after the servers stopped. */
  readonly onStop?: () => Promise<void>;
  /** Records a server span per gRPC call and HTTP request (`ServiceContext.tracer`, docs/adr/0048); absent: none. */
  readonly tracer?: Tracer | undefined;
}

const startedAt = Date.now();

/** Starts a service's gRPC server and its HTTP/2 + JSON server; each logs one line with its address. */
export const serveService = async (options: ServeOptions): Promise<RunningService> => {
  const { name, logger } = options;
  const grpc = await startGrpcServer({
    serviceName: name,
    host: options.bindHost,
    port: options.grpcPort,
    services: options.grpcServices,
    logger,
    tls: options.grpcTls,
    ...(options.idempotentWrites && { idempotentWrites: options.idempotentWrites }),
    tracer: options.tracer,
  });
  let http: FastifyInstance | undefined;
  try {
    http = createHttpApp({ logger, ...(options.httpServer && { server: options.httpServer }), tracer: options.tracer });
    // The API reference is generated from what the port registers (docs/adr/0049).
    const routes = recordRoutes(http);
    processMetrics.http.instrument(http, name);
    if (options.clientDefences) addClientDefences(http, options.clientDefences);
    http.get('/health', async () => ({ status: 'ok', service: name, uptime_ms: Date.now() - startedAt }));
    // The whole process's metrics (docs/adr/0018), the same on every service port of it.
    const allowed = metricsAccess(options.metricsToken);
    http.get('/metrics', async (request, reply) => {
      if (!allowed(request.headers.authorization))
        throw new DomainFailureError(failure('unauthenticated', 'metrics_token_required', 'GET /metrics needs the metrics bearer token.'));
      return reply.type(processMetrics.contentType).send(await processMetrics.text());
    });
    await options.registerRoutes?.(http);
    registerApiReference(http, {
      service: name,
      routes,
      operations: documentedOperations,
      limits: { bodyLimit: http.initialConfig.bodyLimit ?? 1_048_576, maxParamLength: http.initialConfig.maxParamLength ?? 100 },
      ...(options.webSockets && { webSockets: options.webSockets }),
    });
    const bound = await listenHttp(
      http,
      { host: options.bindHost, port: options.httpPort },
      (url) => `${name} HTTP/2 (h2c) + HTTP/1.1 on ${url}`,
    );
    const httpApp = http;
    let stopping: Promise<void> | undefined;
    return {
      name,
      grpc: { host: options.bindHost, port: grpc.port },
      http: { host: bound.host, port: bound.port },
      stop: () => (stopping ??= stopBoth(grpc, httpApp, options.onStop)),
    };
  } catch (error) {
    await Promise.allSettled([grpc.shutdown(), http?.close()]);
    throw error;
  }
};

const stopBoth = async (grpc: RunningGrpcServer, http: FastifyInstance, onStop?: () => Promise<void>) => {
  await Promise.allSettled([grpc.shutdown(), http.close()]);
  await onStop?.();
};
