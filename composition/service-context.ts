import type { Logger } from '../adapters/observability/logger.js';
import type { MeshConfig, ServiceName, ServiceTargets } from './config.js';
import type { Messaging } from './messaging.js';
import type { RunningService } from './service-server.js';

/** What the launcher hands every composition root: configuration, logging and this process's layer 3. */
export interface ServiceContext {
  readonly config: MeshConfig;
  readonly logger: Logger;
  readonly messaging: Messaging;
  /** Where to reach another service: where it is bound if it runs in this process, else its configured target. */
  readonly targetOf: (service: ServiceName) => ServiceTargets;
}

export type ServiceRoot = (context: ServiceContext) => Promise<RunningService>;
