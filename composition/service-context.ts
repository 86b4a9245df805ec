import type { Client } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import type { MeshClientConstructor, MeshService } from '../adapters/grpc/mesh/mesh-client.js';
import type { MeshStatus } from '../adapters/http/dashboard/mesh-status.js';
import type { ServerTls } from '../adapters/grpc/grpc-server.js';
import type { Logger } from '../adapters/observability/logger.js';
import type { MeshConfig, ServiceName, ServiceTargets } from './config.js';
import type { Messaging } from './messaging.js';
import type { RunningService } from './service-server.js';
import type { ServiceStorage, StatefulService } from './service-storage.js';

/** What the launcher hands every composition root: configuration, logging, this process's layer 3 and mesh. */
export interface ServiceContext {
  readonly config: MeshConfig;
  readonly logger: Logger;
  readonly messaging: Messaging;
  /** This instance's id in the registry (the gateway's instance id too). */
  readonly instanceId: string;
  /** Where to reach another service over HTTP: an instance the registry has in rotation, else its configured target. */
  readonly targetOf: (service: ServiceName) => ServiceTargets;
  /** A mesh client of another service, over the instances discovery knows; the caller closes it. */
  readonly clientFor: ClientFor;
  /** The service's storage, shared by its instances in this process (for auth, with its signing keys). */
  readonly openStorage: (service: StatefulService, logger: Logger) => Promise<ServiceStorage>;
  /** Mutual TLS of the instance's gRPC server (docs/adr/0021); absent: plaintext. */
  readonly grpcTls?: ServerTls;
  /** This process's mesh as the dashboard shows it; absent outside a launched mesh (a standalone test bed). */
  readonly meshStatus?: () => MeshStatus;
  /**
   * Records the service's spans when traces are exported (`OTEL_*`, docs/adr/0048): its servers'
   * spans and its outbox relay's sends (its `messaging` records its consumers' already). Absent: none.
   */
  readonly tracer?: Tracer;
}

/** How a service gets a mesh client of another (`ServiceContext.clientFor`); the caller closes it. */
export type ClientFor = <C extends Client>(service: ServiceName, Client: MeshClientConstructor<C>) => MeshService<C>;

export type ServiceRoot = (context: ServiceContext) => Promise<RunningService>;
