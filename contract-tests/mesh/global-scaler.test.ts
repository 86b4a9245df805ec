import { afterEach, describe, expect, it } from 'vitest';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { waitFor } from '../messaging/wait.js';
import { startAuthBackend, tokenRequest } from './auth-backend.js';
import { startCountingProxy } from './counting-proxy.js';
import { meshClientFor, steadyLoad } from './mesh-fixture.js';

describe('the global connection cap across pools', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('moves a connection from a lower-priority pool to a higher-priority one at the cap, then denies', async () => {
    const backend = await startAuthBackend({ delayMs: 2 });
    const toAuth = await startCountingProxy(backend.server.port);
    const toSimulation = await startCountingProxy(backend.server.port);
    cleanup.push(
      () => backend.server.server.forceShutdown(),
      () => toAuth.close(),
      () => toSimulation.close(),
    );
    const scaler = new GlobalConnectionScaler({ maxTotalConnections: 11 });
    const simulation = meshClientFor('simulation', { s: toSimulation.address }, {}, scaler).mesh;
    const auth = meshClientFor('auth', { a: toAuth.address }, {}, scaler).mesh;
    cleanup.push(
      () => simulation.close(),
      () => auth.close(),
    );
    await waitFor(() => toAuth.open() === 5 && toSimulation.open() === 5, 10_000, '5 + 5 connections');

    const simulationLoad = steadyLoad(10, () => simulation.call('validateToken', tokenRequest()));

    cleanup.push(() => simulationLoad.stop());
    await waitFor(() => toSimulation.open() === 6, 10_000, 'simulation at the cap');
    await waitFor(() => (scaler.snapshot().denials.simulation ?? 0) > 0, 10_000, 'a denial for simulation');
    await simulationLoad.stop();

    const authLoad = steadyLoad(10, () => auth.call('validateToken', tokenRequest()));

    cleanup.push(() => authLoad.stop());
    await waitFor(() => toAuth.open() === 6 && toSimulation.open() === 5, 10_000, 'a connection moved to auth');
    await waitFor(() => (scaler.snapshot().denials.auth ?? 0) > 0, 10_000, 'a denial for auth');
    const outcomes = await authLoad.stop();

    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(scaler.snapshot()).toMatchObject({
      totalConnections: 11,
      rebalances: [{ from: 'simulation', to: 'auth', count: 1 }],
    });
    expect(simulation.snapshot().instances[0]!.pool).toMatchObject({ connections: 5, surrendered: 1 });
    expect(auth.snapshot().instances[0]!.pool.connections).toBe(6);
  });
});
