import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventChannels, Streams } from '../core/messaging/channels.js';
import type { DomainEvent } from '../core/messaging/events.js';
import { AuthServiceClient } from '../adapters/grpc/generated/auth.js';
import { callUnary } from '../contract-tests/support/grpc-unary.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import type { RunningMesh } from './launcher.js';
import { startTestMesh } from '../test-support/test-mesh.js';

describe('the composed mesh, driven over real sockets', () => {
  let mesh: RunningMesh;
  let authHttp: string;
  let authGrpc: AuthServiceClient;
  const http2 = h2cAgent();

  beforeAll(async () => {
    mesh = await startTestMesh();
    const auth = mesh.services.get('auth')!;
    authHttp = `http://127.0.0.1:${auth.http.port}`;
    authGrpc = new AuthServiceClient(`127.0.0.1:${auth.grpc.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    authGrpc?.close();
    await http2.close();
    await mesh?.stop();
  });

  it('registers, logs in over HTTP/2, validates over gRPC, publishes the login event, and honours logout', async () => {
    const logins: DomainEvent[] = [];
    const subscription = await mesh.messaging.events.subscribe(EventChannels.authLogin, (event) => {
      logins.push(event);
    });
    const credentialsBody = { email: 'Ada@Example.com', password: 'correct horse battery', name: 'Ada' };

    const registered = await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, { body: credentialsBody });
    expect(registered.status).toBe(201);
    expect(registered.body.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', roles: ['user'] });
    const userId: string = registered.body.user.id;

    const login = await jsonRequest(http2, 'POST', `${authHttp}/auth/login`, {
      body: { email: credentialsBody.email, password: credentialsBody.password },
    });
    expect(login.status).toBe(200);
    const token: string = login.body.access_token;
    expect(login.body).toMatchObject({ token_type: 'Bearer', session_id: expect.any(String) });

    const validation = await callUnary(authGrpc.validateToken.bind(authGrpc), {
      token,
      callingService: 'api-gateway',
      requestId: 'e2e-1',
    });
    expect(validation).toMatchObject({ valid: true, userId, email: 'ada@example.com', sessionId: login.body.session_id });
    expect(validation.permissions).toContain('project:create');
    expect(validation.expiresAt).toBe(login.body.expires_at);

    await waitFor(() => logins.length === 1, 5_000, 'the auth:events:login event');
    expect(logins[0]).toMatchObject({ type: 'login', user_id: userId, session_id: login.body.session_id });
    expect(typeof logins[0]!.timestamp).toBe('number');
    const analytics = await mesh.messaging.streams.range(Streams.analyticsEvents, '-', '+');
    expect(analytics.map((entry) => entry.fields)).toContainEqual(expect.objectContaining({ type: 'login', user_id: userId }));

    const profile = await jsonRequest(http2, 'GET', `${authHttp}/auth/profile`, { token });
    expect(profile.status).toBe(200);
    expect(profile.body.user.id).toBe(userId);

    const logout = await jsonRequest(http2, 'POST', `${authHttp}/auth/logout`, { token });
    expect(logout.status).toBe(204);

    const afterLogout = await callUnary(authGrpc.validateToken.bind(authGrpc), {
      token,
      callingService: 'api-gateway',
      requestId: 'e2e-2',
    });
    expect(afterLogout.valid).toBe(false);
    const profileAfterLogout = await jsonRequest(http2, 'GET', `${authHttp}/auth/profile`, { token });
    expect(profileAfterLogout.status).toBe(401);
    expect(profileAfterLogout.headers['content-type']).toContain('application/problem+json');
    await subscription.unsubscribe();
  });

  it('answers a duplicate registration with 409 problem+json', async () => {
    const body = { email: 'dup@example.com', password: 'correct horse battery', name: 'Dup' };
    expect((await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, { body })).status).toBe(201);
    const again = await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, { body: { ...body, email: 'DUP@example.com' } });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.body).toMatchObject({ status: 409, title: expect.any(String) });
  });

  it('rejects an invalid body with field errors', async () => {
    const answer = await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, { body: { email: 'x', name: '' } });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.body.errors.length).toBeGreaterThan(0);
  });
});

describe('with MESH_CLIENT_ENTRY=gateway', () => {
  let mesh: RunningMesh;
  const http2 = h2cAgent();
  const url = (service: 'auth' | 'project' | 'simulation' | 'api-gateway') => `http://127.0.0.1:${mesh.services.get(service)!.http.port}`;

  beforeAll(async () => {
    mesh = await startTestMesh({ MESH_CLIENT_ENTRY: 'gateway' });
  });
  afterAll(async () => {
    await http2.close();
    await mesh?.stop();
  });

  it('leaves the gateway as the clients entry: project and simulation ports serve only health', async () => {
    const body = { email: 'entry@example.com', password: 'correct horse battery', name: 'Entry' };
    expect((await jsonRequest(http2, 'POST', `${url('api-gateway')}/auth/register`, { body })).status).toBe(201);
    const login = await jsonRequest(http2, 'POST', `${url('api-gateway')}/auth/login`, {
      body: { email: body.email, password: body.password },
    });
    const token: string = login.body.access_token;

    expect((await jsonRequest(http2, 'GET', `${url('api-gateway')}/projects`, { token })).status).toBe(200);
    expect((await jsonRequest(http2, 'GET', `${url('project')}/projects`, { token })).status).toBe(404);
    expect((await jsonRequest(http2, 'GET', `${url('project')}/templates`, { token })).status).toBe(404);
    expect((await jsonRequest(http2, 'POST', `${url('simulation')}/simulations`, { token, body: { project_id: 'p' } })).status).toBe(404);
    expect((await jsonRequest(http2, 'GET', `${url('project')}/health`)).status).toBe(200);
    expect((await jsonRequest(http2, 'GET', `${url('simulation')}/health`)).status).toBe(200);
  });
});
