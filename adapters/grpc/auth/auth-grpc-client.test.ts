import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../core/shared/errors.js';
import { deadAddress, startRealAuth, type RealAuth } from '../../../contract-tests/project-grpc/real-auth-server.js';
import { AuthServiceClient } from '../generated/auth.js';
import { singleInstance } from '../mesh/single-instance.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import { GrpcAuthClient } from './auth-grpc-client.js';
import { authorization, emailLookup, remoteTokenCheck, userDirectory } from './auth-grpc-client-ports.js';

describe('GrpcAuthClient against a real auth service', () => {
  let auth: RealAuth;
  beforeAll(async () => {
    auth = await startRealAuth();
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('validates a live token with the user it belongs to', async () => {
    const { user, token, sessionId } = await auth.harness.loggedInUser();

    const validation = await auth.client.validateToken(token);

    expect(validation).toMatchObject({ ok: true, value: { valid: true, userId: user.id, email: user.email, sessionId } });
    expect(validation.ok && validation.value.valid && validation.value.permissions).toContain('project:create');
  });

  it('answers invalid tokens with the reason auth gave: a forged token is not reported as expired', async () => {
    const { token } = await auth.harness.loggedInUser();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(await auth.client.validateToken('not a token')).toEqual({ ok: true, value: { valid: false, reason: 'malformed' } });
    expect(await auth.client.validateToken(flipped)).toEqual({ ok: true, value: { valid: false, reason: 'bad_signature' } });

    expect((await auth.harness.service.logout(token)).ok).toBe(true);
    expect(await auth.client.validateToken(token)).toEqual({ ok: true, value: { valid: false, reason: 'session_revoked' } });

    const live = await auth.harness.loggedInUser();
    auth.harness.clock.advance(16 * 60_000);
    expect(await auth.client.validateToken(live.token)).toEqual({ ok: true, value: { valid: false, reason: 'expired' } });
  });

  it('gets a user context by id and by email, whatever the email case', async () => {
    const user = await auth.harness.registerUser();

    const byId = await auth.client.getUserContext({ userId: user.id });
    const byEmail = await auth.client.getUserContext({ email: `  ${user.email.toUpperCase()} ` });

    expect(byId).toMatchObject({ ok: true, value: { userId: user.id, email: user.email, isActive: true, lastLoginAt: null } });
    expect(byEmail).toEqual(byId);
    expect(await auth.client.getUserContext({ email: 'nobody@example.test' })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    });
    expect(await auth.client.getUserContext({ userId: '' })).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });

  it('checks permissions, lists them, and validates sessions', async () => {
    const { user, sessionId } = await auth.harness.loggedInUser();

    expect(await auth.client.checkPermission(user.id, 'project:create')).toMatchObject({ ok: true, value: { allowed: true } });
    expect(await auth.client.checkPermission(user.id, 'admin:users')).toMatchObject({ ok: true, value: { allowed: false } });
    expect(await auth.client.checkPermission(user.id, 'no-colon')).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(await auth.client.getUserPermissions(user.id)).toMatchObject({
      ok: true,
      value: { userId: user.id, roles: ['user'], isAdmin: false },
    });
    expect(await auth.client.validateSession(sessionId, user.id)).toMatchObject({
      ok: true,
      value: { valid: true, userId: user.id, reason: 'active' },
    });
    expect(await auth.client.validateSession(sessionId, 'someone-else')).toMatchObject({ ok: true, value: { valid: false } });
  });

  it('serves the project ports: user directory, permission checks, emails', async () => {
    const user = await auth.harness.registerUser();
    const directory = userDirectory(auth.client);

    expect(await directory.findUserIdByEmail(user.email.toUpperCase())).toBe(user.id);
    expect(await directory.findUserIdByEmail('ghost@example.test')).toBeUndefined();
    expect(await directory.userExists(user.id)).toBe(true);
    expect(await directory.userExists('ghost')).toBe(false);
    expect(await authorization(auth.client).checkPermission(user.id, 'project:share')).toMatchObject({ allowed: true });
    expect(await emailLookup(auth.client)(user.id)).toBe(user.email);
  });

  it('reads a malformed permission as a denial', async () => {
    const user = await auth.harness.registerUser();

    const decision = await authorization(auth.client).checkPermission(user.id, 'no-colon');

    expect(decision).toMatchObject({ allowed: false, reason: expect.stringContaining('invalid') });
  });
});

describe('GrpcAuthClient when the auth service is down', () => {
  let channel: ServiceCalls<AuthServiceClient>;
  let client: GrpcAuthClient;
  beforeAll(async () => {
    channel = singleInstance(AuthServiceClient, await deadAddress());
    client = new GrpcAuthClient(channel, { timeoutMs: 5_000 });
  });
  afterAll(() => channel?.close());

  const unavailable = expect.objectContaining({ dependency: 'auth', failure: expect.objectContaining({ kind: 'unavailable' }) });

  it('throws DependencyUnavailableError from every call', async () => {
    await expect(client.validateToken('a.b.c')).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(client.getUserContext({ userId: 'u' })).rejects.toEqual(unavailable);
    await expect(client.checkPermission('u', 'project:create')).rejects.toEqual(unavailable);
  });

  it('makes the token check throw unavailable (a 503, not a 401)', async () => {
    const failure = await remoteTokenCheck(client)('a.b.c').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toEqual(unavailable);
  });

  it('makes every port throw the same fault (docs/adr/0027), except the best-effort email lookup', async () => {
    await expect(authorization(client).checkPermission('u', 'project:create')).rejects.toEqual(unavailable);
    await expect(authorization(client).checkPermission('u', 'simulation:start', 'p')).rejects.toEqual(unavailable);
    await expect(userDirectory(client).findUserIdByEmail('a@example.test')).rejects.toEqual(unavailable);
    await expect(userDirectory(client).userExists('u')).rejects.toEqual(unavailable);
    expect(await emailLookup(client)('u')).toBeUndefined();
  });
});
