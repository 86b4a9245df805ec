import type { ClientDirectory, ConnectedClient } from '../../core/gateway/index.js';
import type { Clock } from '../../core/shared/clock.js';

interface InstanceEntries {
  readonly clients: Map<string, ConnectedClient>;
  expiresAt: number;
}

/**
 * The client directory of the gateway instances of one process (the embedded mesh): one map per
 * instance that expires, as a whole, `ttlMs` after its last write or refresh.
 */
export class InMemoryClientDirectory implements ClientDirectory {
  private readonly instances = new Map<string, InstanceEntries>();

  constructor(private readonly clock: Clock) {}

  async put(instanceId: string, clients: readonly ConnectedClient[], ttlMs: number): Promise<void> {
    const entries = this.live(instanceId) ?? { clients: new Map(), expiresAt: 0 };
    for (const client of clients) entries.clients.set(client.clientId, client);
    entries.expiresAt = this.clock.now() + ttlMs;
    this.instances.set(instanceId, entries);
  }

  async remove(instanceId: string, clientId: string): Promise<void> {
    const entries = this.live(instanceId);
    entries?.clients.delete(clientId);
    if (entries?.clients.size === 0) this.instances.delete(instanceId);
  }

  async replace(instanceId: string, clients: readonly ConnectedClient[], ttlMs: number): Promise<void> {
    this.instances.delete(instanceId);
    if (clients.length > 0) await this.put(instanceId, clients, ttlMs);
  }

  async refresh(instanceId: string, ttlMs: number): Promise<boolean> {
    const entries = this.live(instanceId);
    if (!entries) return false;
    entries.expiresAt = this.clock.now() + ttlMs;
    return true;
  }

  async list(): Promise<ConnectedClient[]> {
    return [...this.instances.keys()].flatMap((instanceId) => [...(this.live(instanceId)?.clients.values() ?? [])]);
  }

  /** Should two instances hold one client id (a reconnect racing an expiry), the later connection. */
  async find(clientId: string): Promise<ConnectedClient | undefined> {
    const holding = [...this.instances.keys()].flatMap((instanceId) => this.live(instanceId)?.clients.get(clientId) ?? []);
    return holding.sort((a, b) => b.connectedAt - a.connectedAt)[0];
  }

  /** The instance's entries unless they expired (then they are dropped). */
  private live(instanceId: string): InstanceEntries | undefined {
    const entries = this.instances.get(instanceId);
    if (entries && entries.expiresAt <= this.clock.now()) {
      this.instances.delete(instanceId);
      return undefined;
    }
    return entries;
  }
}
