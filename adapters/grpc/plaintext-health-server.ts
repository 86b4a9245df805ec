import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Logger } from 'pino';

export interface PlaintextHealthServer {
  readonly port: number;
  /** `''` is the whole process; other names are the services it runs (`auth`, `api-gateway`, ...). */
  setStatus(service: string, status: ServingStatus): void;
  /** Stops answering (open watches are cancelled). Idempotent. */
  close(): Promise<void>;
}

/**
 * grpc.health.v1 alone, without TLS, on a port of its own (`MESH_HEALTH_PORT`): the mesh's gRPC
 * ports ask every client for a mesh certificate, which Kubernetes' native gRPC probes cannot
 * present (docs/adr/0061). It serves no other rpc, so it opens nothing the mesh protects.
 */
export const startPlaintextHealthServer = async (
  host: string,
  port: number,
  services: readonly string[],
  logger: Logger,
): Promise<PlaintextHealthServer> => {
  const health = new HealthImplementation(Object.fromEntries(['', ...services].map((name) => [name, 'NOT_SERVING' as ServingStatus])));
  const server = new Server();
  health.addToServer(server);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  ).catch((error: unknown) => {
    server.forceShutdown();
    throw error;
  });
  logger.info({ host, port: bound, services }, `grpc.health.v1 (plaintext, health only) on ${host}:${bound}`);
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    setStatus: (service, status) => health.setStatus(service, status),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      })),
  };
};
