import { credentials, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { delay, waitFor } from '../messaging/wait.js';
import { meshCallOutcome, startAuthBackend, tokenRequest, validateTokenStatus, type AuthBackend } from './auth-backend.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { authMeshClient, steadyLoad } from './mesh-fixture.js';

describe('pooled connections over real sockets', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const backendBehindProxy = async (delayMs = 0): Promise<{ backend: AuthBackend; proxy: CountingProxy }> => {
    const backend = await startAuthBackend({ delayMs });
    const proxy = await startCountingProxy(backend.server.port);
    cleanup.push(
      () => backend.server.server.forceShutdown(),
      () => proxy.close(),
    );
    return { backend, proxy };
  };

  it('shares one TCP connection between plain grpc-js channels to one target: the pitfall', async () => {
    const { proxy } = await backendBehindProxy();
    const clients = Array.from({ length: 5 }, () => new AuthServiceClient(proxy.address, credentials.createInsecure()));
    cleanup.push(() => clients.forEach((client) => client.close()));

    const codes = await Promise.all(clients.map((client) => validateTokenStatus(client)));

    expect(codes).toEqual(Array(5).fill(status.OK));
    expect(proxy.accepted()).toBe(1);
  });

  it('keeps the minimum of 5 connections warm as 5 sockets', async () => {
    const { proxy } = await backendBehindProxy();
    const { mesh } = authMeshClient({ a: proxy.address });
    cleanup.push(() => mesh.close());

    await waitFor(() => mesh.snapshot().instances[0]!.pool.readyConnections === 5, 10_000, '5 ready connections');
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i += 1) outcomes.push((await meshCallOutcome(mesh)).outcome);

    expect(outcomes).toEqual(Array(10).fill('ok'));
    expect(proxy.open()).toBe(5);
    expect(proxy.accepted()).toBe(5);
  });

  it('leaves no socket open once closed, even when closed while still connecting', async () => {
    const { proxy } = await backendBehindProxy();

    authMeshClient({ a: proxy.address }).mesh.close();
    const { mesh } = authMeshClient({ a: proxy.address });
    await waitFor(() => proxy.accepted() === 10, 10_000, 'both clients to connect');
    mesh.close();

    await waitFor(() => proxy.open() === 0, 10_000, 'every socket closed');
    await delay(300);
    expect(proxy.open()).toBe(0);
  });

  it('grows toward 20 sockets under load and shrinks back to 5 after the quiet period', async () => {
    const { proxy } = await backendBehindProxy(2);
    const { mesh } = authMeshClient(
      { a: proxy.address },
      { scaling: { thresholds: { scaleDownQuietMs: 200 }, cadence: { scaleDownCheckMs: 50 } } },
    );
    cleanup.push(() => mesh.close());
    const load = steadyLoad(30, () => mesh.call('validateToken', tokenRequest()));
    cleanup.push(() => load.stop());

    await waitFor(() => proxy.open() === 20, 15_000, '20 open sockets under load');
    const underLoad = mesh.snapshot().instances[0]!.pool;
    const outcomes = await load.stop();

    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(underLoad.connections).toBe(20);
    expect(Object.values(underLoad.scaleUps).reduce((a, b) => a + b, 0)).toBe(15);
    expect(underLoad.scaleUpTimesMs.length).toBeGreaterThan(0);
    expect(Math.max(...underLoad.scaleUpTimesMs)).toBeLessThan(2_000);

    await waitFor(() => proxy.open() === 5, 20_000, 'back to 5 open sockets');
    const quiet = mesh.snapshot().instances[0]!.pool;
    expect(quiet.connections).toBe(5);
    expect(quiet.scaleDowns).toBe(Object.values(quiet.scaleUps).reduce((a, b) => a + b, 0));
  }, 40_000);
});
