import { afterEach, describe, expect, it } from 'vitest';
import { GlobalConnectionScaler } from '../../../core/pool-scaling/global-connection-scaler.js';
import { AuthServiceClient } from '../generated/auth.js';
import { MeshClient } from './mesh-client.js';
import { createLogger } from '../../observability/logger.js';
import { FixedInstanceSource, instanceAt } from '../../../contract-tests/mesh/test-instances.js';
import { SharedMeshClients } from './shared-mesh-clients.js';

describe('one mesh client per target service, leased to the instances of the process', () => {
  const instances = new FixedInstanceSource();
  let made = 0;
  const clients = new SharedMeshClients((service, Client) => {
    made += 1;
    return new MeshClient(Client, {
      service,
      instances,
      scaler: new GlobalConnectionScaler(),
      logger: createLogger('shared-test', 'silent'),
    });
  });
  afterEach(() => {
    clients.closeAll();
    instances.set('auth', []);
    made = 0;
  });

  /** Whether the shared client still follows its instances (a closed one does not). */
  const follows = (client: Pick<MeshClient<AuthServiceClient>, 'snapshot'>): boolean => {
    instances.set('auth', [instanceAt('auth', 'a', '127.0.0.1:1')]);
    const following = client.snapshot().instances.length === 1;
    instances.set('auth', []);
    return following;
  };

  it('makes the client once and hands every user the same one', () => {
    const forGateway = clients.lease('auth', AuthServiceClient, 'gateway-1');
    const forProject = clients.lease('auth', AuthServiceClient, 'project-1');

    expect(made).toBe(1);
    expect(forGateway.snapshot()).toEqual(forProject.snapshot());
    expect(clients.snapshots()).toEqual([expect.objectContaining({ service: 'auth', users: ['gateway-1', 'project-1'] })]);
  });

  it('keeps the client for the other users when one closes its lease, and closes it with the last', () => {
    const first = clients.lease('auth', AuthServiceClient, 'gateway-1');
    const second = clients.lease('auth', AuthServiceClient, 'gateway-2');

    first.close();
    first.close();
    expect(follows(second)).toBe(true);

    second.close();
    expect(follows(second)).toBe(false);
    expect(clients.snapshots()).toEqual([]);
  });

  it('ends every lease of an instance that stopped', () => {
    const kept = clients.lease('auth', AuthServiceClient, 'project-1');
    clients.lease('auth', AuthServiceClient, 'gateway-1');
    clients.lease('project', AuthServiceClient, 'gateway-1');

    clients.releaseAll('gateway-1');

    expect(clients.snapshots().map(({ service, users }) => ({ service, users }))).toEqual([{ service: 'auth', users: ['project-1'] }]);
    expect(follows(kept)).toBe(true);
  });

  it('makes a new client for a service whose last lease ended', () => {
    clients.lease('auth', AuthServiceClient, 'gateway-1').close();
    clients.lease('auth', AuthServiceClient, 'gateway-1');

    expect(made).toBe(2);
  });
});
