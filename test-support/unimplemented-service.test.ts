import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { authClient, startAuthServer, validateToken } from '../contract-tests/grpc/auth-test-server.js';
import { AuthServiceService, ValidateTokenResponse, type AuthServiceClient } from '../adapters/grpc/generated/auth.js';
import type { RunningGrpcServer } from '../adapters/grpc/grpc-server.js';
import { unaryHandler } from '../adapters/grpc/unary-handler.js';
import { placeholderMessage, unimplementedService } from './unimplemented-service.js';

describe('unimplementedService', () => {
  let server: RunningGrpcServer | undefined;
  let client: AuthServiceClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.shutdown();
  });

  it('has a handler for each method of the definition', () => {
    expect(Object.keys(unimplementedService(AuthServiceService)).sort()).toEqual(Object.keys(AuthServiceService).sort());
  });

  it('answers UNIMPLEMENTED with a message that names the method and differs from grpc-js own', async () => {
    server = await startAuthServer({});
    client = authClient(server);
    const { error } = await validateToken(client);
    expect(error?.code).toBe(status.UNIMPLEMENTED);
    expect(error?.details).toBe(placeholderMessage('/auth.AuthService/ValidateToken', 'auth.AuthService'));
    expect(error?.details).not.toMatch(/^The server does not implement the method/);
  });

  it('stands in only for the methods real handlers do not cover', async () => {
    server = await startAuthServer({
      validateToken: unaryHandler(async () => ValidateTokenResponse.fromPartial({ valid: true })),
    });
    client = authClient(server);
    expect((await validateToken(client)).response?.valid).toBe(true);
    const error = await new Promise((resolve) => client!.getUserContext({ userId: 'u', callingService: 't' }, resolve));
    expect(error).toMatchObject({ code: status.UNIMPLEMENTED });
  });
});
