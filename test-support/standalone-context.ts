import { randomUUID } from 'node:crypto';
import type { InstanceSource } from '../core/discovery/instance.js';
import { GlobalConnectionScaler } from '../core/pool-scaling/global-connection-scaler.js';
import { MeshClient } from '../adapters/grpc/mesh/mesh-client.js';
import type { Logger } from '../adapters/observability/logger.js';
import type { MeshConfig, ServiceName, ServiceTargets } from '../composition/config.js';
import { configuredInstance, FallbackInstanceSource } from '../adapters/grpc/mesh/fallback-instances.js';
import type { ClientFor } from '../composition/service-context.js';
import type { Messaging } from '../composition/messaging.js';
import type { ServiceContext } from '../composition/service-context.js';
import { openServiceStorage } from '../composition/storage.js';

export interface StandaloneParts {
  readonly config: MeshConfig;
  readonly logger: Logger;
  readonly messaging: Messaging;
  /** Where the other services are, looked up when a client of one is made. */
  readonly targetOf: (service: ServiceName) => ServiceTargets;
  readonly instanceId?: string;
  /** Instances that take over from `targetOf`'s once they appear (a test bed's services started later). */
  readonly registry?: InstanceSource;
}

const noRegistry: InstanceSource = { current: () => [], onChange: () => () => undefined };

/**
 * The context of services started without the launcher (test beds): no shared registry; each
 * client made over the one instance `targetOf` names when it is made (as `singleInstance` does),
 * or the `registry`'s once it has one, and storage opened for each root alone.
 */
export const standaloneContext = (parts: StandaloneParts): ServiceContext => {
  const { maxConnections, priorities } = parts.config.mesh;
  const clientFor: ClientFor = (service, Client) => {
    const { grpc, http } = parts.targetOf(service);
    const instances = new FallbackInstanceSource(
      parts.registry ?? noRegistry,
      new Map([[service, configuredInstance(service, grpc, http)]]),
    );
    // A scaler of its own: the global scaler knows a pool by service and instance, and here several clients may reach one.
    const scaler = new GlobalConnectionScaler({ maxTotalConnections: maxConnections, priorities });
    return new MeshClient(Client, { service, instances, scaler, logger: parts.logger.child({ component: 'mesh-client' }) });
  };
  return {
    config: parts.config,
    logger: parts.logger,
    messaging: parts.messaging,
    targetOf: parts.targetOf,
    instanceId: parts.instanceId ?? `standalone-${randomUUID().slice(0, 8)}`,
    clientFor,
    openStorage: (service, logger) => openServiceStorage(service, parts.config, logger),
  };
};
