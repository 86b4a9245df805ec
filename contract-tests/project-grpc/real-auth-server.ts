import { createServer } from 'node:net';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { authGrpcService } from '../../adapters/grpc/auth/auth-grpc-service.js';
import { AuthServiceClient, AuthServiceService } from '../../adapters/grpc/generated/auth.js';
import { singleInstance } from '../../adapters/grpc/mesh/single-instance.js';
import type { ServiceCalls } from '../../adapters/grpc/mesh/mesh-client.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { createAuthHarness, inMemoryAuthRepositories, type AuthHarness } from '../auth/auth-harness.js';
import { testLogger } from '../../test-support/test-logger.js';

/** A real auth service (the domain on in-memory repositories) behind a real gRPC server on loopback. */
export interface RealAuth {
  readonly harness: AuthHarness;
  readonly server: RunningGrpcServer;
  /** `host:port` to dial. */
  readonly address: string;
  /** A client of this server, as another service holds one (closed by `stop`). */
  readonly client: GrpcAuthClient;
  stop(): Promise<void>;
}

export const startRealAuth = async (): Promise<RealAuth> => {
  const harness = await createAuthHarness(inMemoryAuthRepositories());
  const logger = testLogger('real-auth');
  const server = await startGrpcServer({
    serviceName: 'auth',
    host: '127.0.0.1',
    port: 0,
    logger,
    shutdownGraceMs: 1_000,
    services: [{ definition: AuthServiceService, implementation: authGrpcService(harness.service, logger) }],
  });
  const channel = singleInstance(AuthServiceClient, server.address);
  return {
    harness,
    server,
    address: server.address,
    client: authClientOf(channel),
    stop: async () => {
      channel.close();
      await server.shutdown();
    },
  };
};

/** A GrpcAuthClient with a timeout generous enough for a loaded 2-core machine. */
export const authClientOf = (channel: ServiceCalls<AuthServiceClient>): GrpcAuthClient =>
  new GrpcAuthClient(channel, { callingService: 'contract-test', timeoutMs: 10_000 });

/** `127.0.0.1:<port>` where nothing listens: a dependency that is down. */
export const deadAddress = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
