import type { Client } from '@grpc/grpc-js';
import type { MeshClient, MeshClientConstructor, MeshService } from './mesh-client.js';
import type { MeshClientSnapshot } from './mesh-metrics.js';

type Create = <C extends Client>(service: string, Client: MeshClientConstructor<C>) => MeshClient<C>;

interface Shared {
  readonly mesh: MeshClient<Client>;
  /** Lease id -> the instance holding it. */
  readonly leases: Map<number, string>;
}

export interface SharedClientSnapshot {
  readonly service: string;
  /** The instances of this process that use the client. */
  readonly users: readonly string[];
  readonly client: MeshClientSnapshot;
}

/**
 * One mesh client per target service for the whole process (docs/adr/0017): every local instance
 * calling `auth` shares its pools, as one process is one participant of the mesh (and the global
 * scaler knows each pool by service and instance). Each user gets a lease: the same client,
 * except that its `close()` only ends that user's use; the client closes with its last user.
 */
export class SharedMeshClients {
  private readonly clients = new Map<string, Shared>();
  private nextLease = 0;

  constructor(private readonly create: Create) {}

  /** The process's client of `service` for `user` (an instance of this process); made by the first lease. */
  lease<C extends Client>(service: string, Client: MeshClientConstructor<C>, user: string): MeshService<C> {
    let shared = this.clients.get(service);
    if (!shared) {
      shared = { mesh: this.create(service, Client) as unknown as MeshClient<Client>, leases: new Map() };
      this.clients.set(service, shared);
    }
    const lease = (this.nextLease += 1);
    shared.leases.set(lease, user);
    const mesh = shared.mesh as unknown as MeshClient<C>;
    return {
      call: (method, request, options) => mesh.call(method, request, options),
      snapshot: () => mesh.snapshot(),
      close: () => this.release(service, lease, shared),
    };
  }

  /** Ends every lease of `user`. */
  releaseAll(user: string): void {
    for (const [service, shared] of [...this.clients]) {
      for (const [lease, holder] of [...shared.leases]) if (holder === user) this.release(service, lease, shared);
    }
  }

  snapshots(): SharedClientSnapshot[] {
    return [...this.clients].map(([service, { mesh, leases }]) => ({
      service,
      users: [...new Set(leases.values())],
      client: mesh.snapshot(),
    }));
  }

  closeAll(): void {
    for (const { mesh } of this.clients.values()) mesh.close();
    this.clients.clear();
  }

  private release(service: string, lease: number, shared: Shared): void {
    if (!shared.leases.delete(lease) || shared.leases.size > 0) return;
    if (this.clients.get(service) === shared) this.clients.delete(service);
    shared.mesh.close();
  }
}
