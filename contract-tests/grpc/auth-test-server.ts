import { credentials, Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  AuthServiceClient,
  AuthServiceService,
  ValidateTokenRequest,
  type AuthServiceServer,
  type ValidateTokenResponse,
} from '../../adapters/grpc/generated/auth.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { testLogger } from '../../test-support/test-logger.js';

/** Test fixture: an auth gRPC server on a loopback ephemeral port, placeholders for what is not given. */
export const startAuthServer = (
  handlers: Partial<AuthServiceServer>,
  options: { logger?: Logger; shutdownGraceMs?: number; port?: number } = {},
): Promise<RunningGrpcServer> =>
  startGrpcServer({
    serviceName: 'auth-test',
    host: '127.0.0.1',
    port: options.port ?? 0,
    logger: options.logger ?? testLogger('auth-test'),
    shutdownGraceMs: options.shutdownGraceMs,
    services: [{ definition: AuthServiceService, implementation: { ...unimplementedService(AuthServiceService), ...handlers } }],
  });

export interface Answer<Res> {
  readonly error?: ServiceError;
  readonly response?: Res;
}

/** Calls ValidateToken and resolves with the error or the response (never rejects). */
export const validateToken = (
  client: AuthServiceClient,
  request: Partial<ValidateTokenRequest> = {},
  metadata: Metadata = new Metadata(),
  options: Partial<CallOptions> = {},
): Promise<Answer<ValidateTokenResponse>> =>
  new Promise((resolve) => {
    client.validateToken(
      ValidateTokenRequest.fromPartial(request),
      metadata,
      { deadline: Date.now() + 15_000, ...options },
      (error, response) => resolve(error ? { error } : { response }),
    );
  });

export const authClient = (server: RunningGrpcServer): AuthServiceClient =>
  new AuthServiceClient(server.address, credentials.createInsecure());
