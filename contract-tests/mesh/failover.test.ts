import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../messaging/wait.js';
import { meshCallOutcome, startAuthBackend, tokenRequest } from './auth-backend.js';
import { authMeshClient, steadyLoad } from './mesh-fixture.js';

describe('failover between instances', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const twoBackends = async () => {
    const a = await startAuthBackend({ delayMs: 1 });
    const b = await startAuthBackend({ delayMs: 1 });
    cleanup.push(
      () => a.server.server.forceShutdown(),
      () => b.server.server.forceShutdown(),
    );
    return { a, b };
  };

  it('loses no idempotent call when an instance is killed under load, and moves traffic to the survivor', async () => {
    const { a, b } = await twoBackends();
    const { mesh } = authMeshClient({ a: a.server.address, b: b.server.address });
    cleanup.push(() => mesh.close());
    const load = steadyLoad(10, () => mesh.call('validateToken', tokenRequest()));
    cleanup.push(() => load.stop());
    await waitFor(() => a.served() > 200 && b.served() > 200, 10_000, 'traffic on both instances');

    const killedAt = Date.now();
    a.server.server.forceShutdown();
    await waitFor(() => mesh.snapshot().instances.find((i) => i.instanceId === 'a')!.ejected, 2_000, 'a ejected');
    const ejectedAfterMs = mesh.snapshot().instances.find((i) => i.instanceId === 'a')!.lastEjectedAt! - killedAt;
    const survivorBefore = b.served();
    await waitFor(() => b.served() > survivorBefore + 200, 10_000, 'traffic on the survivor');
    const outcomes = await load.stop();

    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(ejectedAfterMs).toBeLessThan(2_000);
    const snapshot = mesh.snapshot();
    expect(snapshot.instances.find((i) => i.instanceId === 'a')).toMatchObject({ ejected: true });
    expect(snapshot.retries).toBeGreaterThan(0);
  });

  it('takes a restarted instance back into rotation once it accepts connections again', async () => {
    const { a, b } = await twoBackends();
    const { mesh } = authMeshClient({ a: a.server.address, b: b.server.address });
    cleanup.push(() => mesh.close());
    const load = steadyLoad(4, () => mesh.call('validateToken', tokenRequest()));
    cleanup.push(() => load.stop());
    await waitFor(() => a.served() > 20, 10_000, 'traffic on a');
    const port = a.server.port;
    a.server.server.forceShutdown();
    await waitFor(() => mesh.snapshot().instances.find((i) => i.instanceId === 'a')!.ejected, 2_000, 'a ejected');

    const restarted = await startAuthBackend({ delayMs: 1 }, port);
    cleanup.push(() => restarted.server.server.forceShutdown());
    await waitFor(() => restarted.served() > 20, 10_000, 'traffic on the restarted instance');
    const outcomes = await load.stop();

    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(mesh.snapshot().instances.find((i) => i.instanceId === 'a')!.ejected).toBe(false);
  });

  it('opens the breaker of an instance that keeps failing and sends its traffic to the other', async () => {
    const { a, b } = await twoBackends();
    a.behaviour.failing = true;
    const { mesh } = authMeshClient({ a: a.server.address, b: b.server.address });
    cleanup.push(() => mesh.close());

    const first = [];
    for (let i = 0; i < 40; i += 1) first.push(await mesh.call('validateToken', tokenRequest()));
    const servedByA = a.served();
    const then = [];
    for (let i = 0; i < 40; i += 1) then.push(await mesh.call('validateToken', tokenRequest()));

    expect([...first, ...then].every((outcome) => outcome.ok)).toBe(true);
    expect(mesh.snapshot().instances.find((i) => i.instanceId === 'a')!.breaker).toBe('open');
    expect(a.served()).toBe(servedByA);
    expect(servedByA).toBeGreaterThanOrEqual(10);
  });

  it('keeps the breaker of an instance closed while it answers that its Redis is down, and serves at once when Redis is back', async () => {
    const backend = await startAuthBackend({ redisDown: true });
    cleanup.push(() => backend.server.server.forceShutdown());
    const { mesh } = authMeshClient({ a: backend.server.address });
    cleanup.push(() => mesh.close());

    const during = [];
    for (let i = 0; i < 40; i += 1) during.push((await meshCallOutcome(mesh)).outcome);
    backend.behaviour.redisDown = false;
    const after = await meshCallOutcome(mesh);

    expect(during.every((outcome) => outcome.includes('Redis unavailable'))).toBe(true);
    const instance = mesh.snapshot().instances.find((i) => i.instanceId === 'a')!;
    expect({ breaker: instance.breaker, opened: instance.breakerOpened }).toEqual({ breaker: 'closed', opened: 0 });
    expect(after.outcome).toBe('ok');
  });
});
