import { credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authGrpcService } from '../../adapters/grpc/auth/auth-grpc-service.js';
import { AuthServiceClient, AuthServiceService } from '../../adapters/grpc/generated/auth.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { meshProtoPaths } from '../../test-support/proto-files.js';
import { assertEveryRpcRegistered } from '../grpc/assert-every-rpc-registered.js';
import { callUnary, callUnaryError } from '../support/grpc-unary.js';
import { createAuthHarness, inMemoryAuthRepositories, type AuthHarness } from './auth-harness.js';
import { testLogger } from '../../test-support/test-logger.js';

/** auth.AuthService over a real loopback socket: every rpc per its contract, bad input included. */
describe('auth gRPC server', () => {
  let harness: AuthHarness;
  let server: RunningGrpcServer;
  let client: AuthServiceClient;
  const validate = (token: string) =>
    callUnary(client.validateToken.bind(client), { token, callingService: 'contract-test', requestId: 'r1' });

  beforeAll(async () => {
    harness = await createAuthHarness(inMemoryAuthRepositories());
    const logger = testLogger('auth-grpc-contract');
    server = await startGrpcServer({
      serviceName: 'auth',
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [{ definition: AuthServiceService, implementation: authGrpcService(harness.service, logger) }],
    });
    client = new AuthServiceClient(server.address, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await server?.shutdown();
  });

  it('registers every rpc of auth.proto', async () => {
    const probes = await assertEveryRpcRegistered(
      server.address,
      meshProtoPaths().filter((file) => file.endsWith('auth.proto')),
    );
    expect(probes.map((probe) => probe.path)).toContain('/auth.AuthService/ValidateToken');
  });

  it('validates a live token with the user context', async () => {
    const { user, token, sessionId } = await harness.loggedInUser();
    const answer = await validate(token);
    expect(answer).toMatchObject({ valid: true, userId: user.id, email: user.email, isAdmin: false, sessionId });
    expect(answer.permissions).toContain('simulation:start');
    expect(answer.expiresAt).toBeGreaterThan(harness.clock.now());
  });

  it('answers valid=false for an empty, malformed, forged, expired or logged-out token', async () => {
    const { token } = await harness.loggedInUser();
    expect((await validate('')).valid).toBe(false);
    expect((await validate('not-a-jwt')).valid).toBe(false);
    expect((await validate(`${token.slice(0, -4)}AAAA`)).valid).toBe(false);

    const { token: expiring } = await harness.loggedInUser();
    harness.clock.advance(16 * 60 * 1000);
    expect((await validate(expiring)).valid).toBe(false);

    const { token: loggedOut } = await harness.loggedInUser();
    expect((await validate(loggedOut)).valid).toBe(true);
    expect((await harness.service.logout(loggedOut)).ok).toBe(true);
    expect(await validate(loggedOut)).toMatchObject({ valid: false, userId: '', permissions: [] });
  });

  it('returns the user context, NOT_FOUND for an unknown user and INVALID_ARGUMENT for no user id', async () => {
    const { user } = await harness.loggedInUser();
    const context = await callUnary(client.getUserContext.bind(client), { userId: user.id, callingService: 'test' });
    expect(context).toMatchObject({ userId: user.id, email: user.email, roles: ['user'], isActive: true });
    expect(context.lastLogin).toBeGreaterThan(0);

    const unknown = await callUnaryError(client.getUserContext.bind(client), { userId: 'nobody', callingService: 'test' });
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.details).not.toBe('');
    const missing = await callUnaryError(client.getUserContext.bind(client), { userId: '', callingService: 'test' });
    expect(missing.code).toBe(status.INVALID_ARGUMENT);
    expect(missing.details).toContain('user_id');
  });

  it('checks permissions with a reason, resource grants included', async () => {
    const { user } = await harness.loggedInUser();
    const check = (permission: string, resourceId = '') =>
      callUnary(client.checkPermission.bind(client), { userId: user.id, permission, resourceId, callingService: 'test' });

    expect(await check('project:create')).toMatchObject({ allowed: true, reason: expect.any(String) });
    const notAdmin = await check('admin:users');
    expect(notAdmin.allowed).toBe(false);
    expect(notAdmin.reason).not.toBe('');

    expect((await check('project:update', 'project-1')).allowed).toBe(false);
    expect((await harness.service.grantResourceAccess({ userId: user.id, resourceId: 'project-1', role: 'editor' })).ok).toBe(true);
    expect((await check('project:update', 'project-1')).allowed).toBe(true);
    expect((await check('project:delete', 'project-1')).allowed).toBe(false);

    const unknownUser = await callUnary(client.checkPermission.bind(client), {
      userId: 'ghost',
      permission: 'project:create',
      resourceId: '',
      callingService: 'test',
    });
    expect(unknownUser.allowed).toBe(false);
    const malformed = await callUnaryError(client.checkPermission.bind(client), {
      userId: user.id,
      permission: 'no-colon',
      resourceId: '',
      callingService: 'test',
    });
    expect(malformed.code).toBe(status.INVALID_ARGUMENT);
  });

  it('validates sessions and lists permissions', async () => {
    const { user, sessionId } = await harness.loggedInUser();
    const session = await callUnary(client.validateSession.bind(client), {
      sessionId,
      userId: user.id,
      callingService: 'test',
      requestId: 'r2',
    });
    expect(session).toMatchObject({ valid: true, userId: user.id, sessionId, reason: 'active' });
    const unknownSession = await callUnary(client.validateSession.bind(client), {
      sessionId: 'nope',
      userId: '',
      callingService: 'test',
      requestId: 'r3',
    });
    expect(unknownSession).toMatchObject({ valid: false, reason: 'not_found' });
    const noSession = await callUnaryError(client.validateSession.bind(client), {
      sessionId: '',
      userId: '',
      callingService: 'test',
      requestId: 'r4',
    });
    expect(noSession.code).toBe(status.INVALID_ARGUMENT);

    const permissions = await callUnary(client.getUserPermissions.bind(client), { userId: user.id, callingService: 'test' });
    expect(permissions).toMatchObject({ userId: user.id, roles: ['user'], isAdmin: false });
    expect(permissions.permissions).toContain('project:read');
    const unknown = await callUnaryError(client.getUserPermissions.bind(client), { userId: 'ghost', callingService: 'test' });
    expect(unknown.code).toBe(status.NOT_FOUND);
  });

  it('reports its own health', async () => {
    const health = await callUnary(client.healthCheck.bind(client), { callingService: 'test' });
    expect(health).toMatchObject({ status: 'SERVING', service: 'auth' });
    expect(health.uptimeMs).toBeGreaterThanOrEqual(0);
  });
});
