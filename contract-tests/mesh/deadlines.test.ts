import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { unaryHandler } from '../../adapters/grpc/unary-handler.js';
import { startAuthServer, authClient } from '../grpc/auth-test-server.js';
import { waitFor } from '../messaging/wait.js';
import { startAuthBackend, tokenRequest } from './auth-backend.js';
import { authMeshClient } from './mesh-fixture.js';

const callWithDeadline = (client: AuthServiceClient, deadline: number) =>
  new Promise<status>((resolve) =>
    client.validateToken(tokenRequest(), new Metadata(), { deadline }, (error: ServiceError | null) =>
      resolve(error ? error.code : status.OK),
    ),
  );

describe('deadlines', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('gives a call made while serving a request no more than the time that request has left', async () => {
    const seenDeadlines: number[] = [];
    const backend = await startAuthBackend({ onCall: (context) => seenDeadlines.push(context.deadline!.getTime()) });
    cleanup.push(() => backend.server.server.forceShutdown());
    const { mesh } = authMeshClient({ a: backend.server.address }, { timeoutMs: 60_000 });
    cleanup.push(() => mesh.close());
    // A front service whose handler calls the backend through the mesh, passing its own deadline on.
    const front = await startAuthServer({
      validateToken: unaryHandler(async (request, context) => mesh.call('validateToken', request, { deadline: context.deadline })),
    });
    cleanup.push(() => front.server.forceShutdown());
    const client = authClient(front);
    cleanup.push(() => client.close());

    const deadline = Date.now() + 3_000;
    expect(await callWithDeadline(client, deadline)).toBe(status.OK);

    // gRPC sends a deadline as a relative timeout, so each hop adds its transit time: on a loaded
    // machine that is milliseconds, far from the 60 s the call would have had on its own.
    expect(seenDeadlines).toHaveLength(1);
    expect(seenDeadlines[0]!).toBeLessThanOrEqual(deadline + 1_000);
    expect(seenDeadlines[0]!).toBeGreaterThan(deadline - 2_000);
  });

  it('ends a call at the caller deadline rather than its own longer timeout', async () => {
    const backend = await startAuthBackend({ delayMs: 5_000 });
    cleanup.push(() => backend.server.server.forceShutdown());
    const { mesh } = authMeshClient({ a: backend.server.address }, { timeoutMs: 60_000 });
    cleanup.push(() => mesh.close());
    await waitFor(() => mesh.snapshot().instances[0]!.pool.readyConnections > 0, 10_000, 'a connection');

    const started = Date.now();
    const outcome = await mesh
      .call('validateToken', tokenRequest(), { deadline: new Date(started + 300) })
      .catch((error: unknown) => error);

    expect(outcome).toMatchObject({ failure: { kind: 'unavailable' } });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('uses the target service default when the caller gives no deadline: 2 s for auth', async () => {
    const seenDeadlines: number[] = [];
    const backend = await startAuthBackend({ onCall: (context) => seenDeadlines.push(context.deadline!.getTime()) });
    cleanup.push(() => backend.server.server.forceShutdown());
    const { mesh } = authMeshClient({ a: backend.server.address });
    cleanup.push(() => mesh.close());

    const sentAt = Date.now();
    await mesh.call('validateToken', tokenRequest());

    expect(seenDeadlines[0]! - sentAt).toBeGreaterThan(1_000);
    expect(seenDeadlines[0]! - sentAt).toBeLessThanOrEqual(2_050);
  });
});
