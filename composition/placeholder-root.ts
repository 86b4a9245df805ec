import type { ServiceDefinition } from '@grpc/grpc-js';
import { unimplementedService } from '../adapters/grpc/unimplemented-service.js';
import type { ServiceName } from './config.js';
import type { ServiceRoot } from './service-context.js';
import { serveService } from './service-server.js';

/**
 * A service whose domain is not built yet: its ports, gRPC health, reflection and `GET /health` are
 * up, and every rpc answers UNIMPLEMENTED with a message saying so.
 */
export const placeholderRoot =
  (name: ServiceName, definition: ServiceDefinition): ServiceRoot =>
  async ({ config, logger }) =>
    serveService({
      name,
      bindHost: config.bindHost,
      grpcPort: config.ports[name].grpcPort,
      httpPort: config.ports[name].httpPort,
      logger: logger.child({ service: name }),
      grpcServices: [{ definition, implementation: unimplementedService(definition) }],
    });
