import type { Logger } from '../adapters/observability/logger.js';
import type { MeshConfig, ServiceName } from './config.js';
import type { Messaging } from './messaging.js';
import type { RunningService } from './service-server.js';

/** What the launcher hands every composition root: configuration, logging and this process's layer 3. */
export interface ServiceContext {
  readonly config: MeshConfig;
  readonly logger: Logger;
  readonly messaging: Messaging;
}

export type ServiceRoot = (context: ServiceContext) => Promise<RunningService>;

export const portsOf = (context: ServiceContext, name: ServiceName) => context.config.ports[name];
