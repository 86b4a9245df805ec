import type { Logger } from '../adapters/observability/logger.js';
import { startAuthService } from './auth/auth-root.js';
import { startGatewayService } from './gateway/gateway-root.js';
import { startProjectService } from './project/project-root.js';
import { startSimulationService } from './simulation/simulation-root.js';
import { ServiceNames, type MeshConfig, type ServiceName, type ServiceTargets } from './config.js';
import { createMessaging, type Messaging } from './messaging.js';
import type { ServiceRoot } from './service-context.js';
import type { RunningService } from './service-server.js';

const roots: Readonly<Record<ServiceName, ServiceRoot>> = {
  auth: startAuthService,
  project: startProjectService,
  simulation: startSimulationService,
  'api-gateway': startGatewayService,
};

export interface MeshOptions {
  readonly config: MeshConfig;
  readonly logger: Logger;
  /** Which services this process runs; default all four. */
  readonly services?: readonly ServiceName[];
}

export interface RunningMesh {
  readonly services: ReadonlyMap<ServiceName, RunningService>;
  readonly messaging: Messaging;
  /** Stops the services in reverse start order, then layer 3. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the requested services in one process, sharing one layer 3. Services start in dependency
 * order (auth first, the gateway last) so each can reach those it calls; if one fails to start,
 * those already started are stopped.
 */
export const startMesh = async (options: MeshOptions): Promise<RunningMesh> => {
  const wanted = new Set(options.services ?? ServiceNames);
  const messaging = createMessaging(options.config.redis, options.logger);
  const started = new Map<ServiceName, RunningService>();
  const stop = async () => {
    for (const service of [...started.values()].reverse()) await service.stop();
    started.clear();
    await messaging.close();
  };
  const targetOf = (service: ServiceName): ServiceTargets => {
    const local = started.get(service);
    const host = options.config.advertiseHost;
    return local ? { grpc: `${host}:${local.grpc.port}`, http: `${host}:${local.http.port}` } : options.config.targets[service];
  };
  try {
    for (const name of startOrder.filter((service) => wanted.has(service))) {
      started.set(name, await roots[name]({ config: options.config, logger: options.logger, messaging, targetOf }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return { services: started, messaging, stop: () => (stopping ??= stop()) };
};

const startOrder: readonly ServiceName[] = ['auth', 'project', 'simulation', 'api-gateway'];
