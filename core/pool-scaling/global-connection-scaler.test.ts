import { describe, expect, it } from 'vitest';
import { GlobalConnectionScaler, type ScalablePool } from './global-connection-scaler.js';

/** A pool that holds `connections`, takes a grant as one more, and gives one up on demand. */
class FakePool implements ScalablePool {
  surrendered = 0;

  constructor(
    readonly id: string,
    readonly service: string,
    public connections: number,
    readonly minConnections = 5,
  ) {}

  connectionCount(): number {
    return this.connections;
  }

  surrender(): void {
    this.connections -= 1;
    this.surrendered += 1;
  }
}

/** A scaler at its cap, every connection of `pools` granted by it. */
const fullScaler = (pools: readonly FakePool[], priorities?: readonly string[]) => {
  const total = pools.reduce((sum, p) => sum + p.connections, 0);
  const scaler = new GlobalConnectionScaler({ maxTotalConnections: total, priorities });
  for (const p of pools) {
    scaler.register(p);
    for (let i = 0; i < p.connections; i += 1) scaler.requestConnectionIncrease(p);
  }
  return scaler;
};

const pool = (id: string, service: string, connections: number, min = 5): FakePool => new FakePool(id, service, connections, min);

describe('GlobalConnectionScaler', () => {
  it('grants connections under the cap and counts them', () => {
    const scaler = new GlobalConnectionScaler({ maxTotalConnections: 2 });
    const auth = new FakePool('auth/1', 'auth', 0);

    expect(scaler.requestConnectionIncrease(auth)).toEqual({ granted: true, via: 'capacity' });
    expect(scaler.requestConnectionIncrease(auth)).toEqual({ granted: true, via: 'capacity' });
    expect(scaler.snapshot().totalConnections).toBe(2);
  });

  it('defaults to a cap of 1000 and the priority order auth, project, simulation, api-gateway', () => {
    const scaler = new GlobalConnectionScaler();

    expect(scaler.maxTotalConnections).toBe(1000);
    expect(['auth', 'project', 'simulation', 'api-gateway', 'reports'].map((s) => scaler.priorityOf(s))).toEqual([0, 1, 2, 3, 4]);
  });

  it('at the cap, takes a connection from a lower-priority pool with excess and counts the move', () => {
    const auth = pool('auth/1', 'auth', 5);
    const simulation = pool('simulation/1', 'simulation', 8);
    const scaler = fullScaler([auth, simulation]);

    const grant = scaler.requestConnectionIncrease(auth);

    expect(grant).toEqual({ granted: true, via: 'rebalance', fromPool: 'simulation/1', fromService: 'simulation' });
    expect(simulation.surrendered).toBe(1);
    expect(scaler.snapshot()).toMatchObject({
      totalConnections: 13,
      rebalances: [{ from: 'simulation', to: 'auth', count: 1 }],
    });
  });

  it('takes from the lowest priority first', () => {
    const auth = pool('auth/1', 'auth', 5);
    const project = pool('project/1', 'project', 10);
    const gateway = pool('gateway/1', 'api-gateway', 10);
    const scaler = fullScaler([auth, project, gateway]);

    scaler.requestConnectionIncrease(auth);

    expect(gateway.surrendered).toBe(1);
    expect(project.surrendered).toBe(0);
  });

  it('treats services missing from the priority list as the lowest of all', () => {
    const auth = pool('auth/1', 'auth', 5);
    const gateway = pool('gateway/1', 'api-gateway', 10);
    const reports = pool('reports/1', 'reports', 10);
    const scaler = fullScaler([auth, gateway, reports]);

    scaler.requestConnectionIncrease(auth);

    expect(reports.surrendered).toBe(1);
    expect(gateway.surrendered).toBe(0);
  });

  it('among pools of one service, takes from the one with the most excess', () => {
    const auth = pool('auth/1', 'auth', 5);
    const simA = pool('simulation/a', 'simulation', 7);
    const simB = pool('simulation/b', 'simulation', 12);
    const scaler = fullScaler([auth, simA, simB]);

    scaler.requestConnectionIncrease(auth);

    expect(simB.surrendered).toBe(1);
    expect(simA.surrendered).toBe(0);
  });

  it('denies and counts when only lower-priority pools at their minimum remain', () => {
    const auth = pool('auth/1', 'auth', 5);
    const simulation = pool('simulation/1', 'simulation', 5);
    const scaler = fullScaler([auth, simulation]);

    expect(scaler.requestConnectionIncrease(auth)).toEqual({ granted: false, reason: 'cap_reached' });
    expect(simulation.surrendered).toBe(0);
    expect(scaler.snapshot().denials).toEqual({ auth: 1 });
  });

  it('never takes from a higher- or equal-priority service, nor from the requester', () => {
    const auth = pool('auth/1', 'auth', 15);
    const otherAuth = pool('auth/2', 'auth', 15);
    const simulation = pool('simulation/1', 'simulation', 5);
    const scaler = fullScaler([auth, otherAuth, simulation]);

    expect(scaler.requestConnectionIncrease(simulation)).toEqual({ granted: false, reason: 'cap_reached' });
    expect(scaler.requestConnectionIncrease(auth)).toEqual({ granted: false, reason: 'cap_reached' });
    expect(auth.surrendered + otherAuth.surrendered).toBe(0);
    expect(scaler.snapshot().denials).toEqual({ simulation: 1, auth: 1 });
  });

  it('follows a configured priority list', () => {
    const auth = pool('auth/1', 'auth', 10);
    const simulation = pool('simulation/1', 'simulation', 5);
    const scaler = fullScaler([auth, simulation], ['simulation', 'auth']);

    expect(scaler.requestConnectionIncrease(simulation)).toMatchObject({ granted: true, fromService: 'auth' });
  });

  it('grants again after connections are released', () => {
    const auth = pool('auth/1', 'auth', 5);
    const scaler = fullScaler([auth]);
    expect(scaler.requestConnectionIncrease(auth).granted).toBe(false);

    scaler.release();

    expect(scaler.requestConnectionIncrease(auth)).toEqual({ granted: true, via: 'capacity' });
  });

  it('forgets an unregistered pool as a source of connections', () => {
    const auth = pool('auth/1', 'auth', 5);
    const scaler = new GlobalConnectionScaler({ maxTotalConnections: 0 });
    const simulation = new FakePool('simulation/1', 'simulation', 10);
    const unregister = scaler.register(simulation);

    unregister();

    expect(scaler.requestConnectionIncrease(auth)).toEqual({ granted: false, reason: 'cap_reached' });
  });
});
