import type { ClientDirectory, ConnectedClient } from '../../core/gateway/index.js';
import { CONNECTION_TYPES } from '../../core/gateway/index.js';
import type { Clock } from '../../core/shared/clock.js';
import { callRedis, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';

/** The hash of one gateway instance's clients: field client id, value the client as JSON. Expires as a whole. */
export const instanceClientsKey = (instanceId: string): string => `gateway:clients:${instanceId}`;

/** The instances that wrote clients, scored by when their entries expire (by the writer's clock): where readers look. */
export const CLIENT_INSTANCES_KEY = 'gateway:client-instances';

/**
 * How long an instance stays in the index past its last expiry. The hash's own expiry decides what
 * is live; the index only says where to look, so the writers' clocks may disagree by this much.
 */
const INDEX_GRACE_MS = 5 * 60_000;

/**
 * The client directory on Redis (docs/adr/0052): a hash per gateway instance whose expiry every
 * write and heartbeat extends, so that a dead instance's clients vanish with its hash; and a sorted
 * set of the instances, to find the hashes without SCAN. One key per command (a cluster spreads the
 * hashes over its nodes); a write and its expiry go in one MULTI on the one key.
 */
export class RedisClientDirectory implements ClientDirectory {
  constructor(
    private readonly connections: RedisConnections,
    private readonly clock: Clock,
  ) {}

  async put(instanceId: string, clients: readonly ConnectedClient[], ttlMs: number): Promise<void> {
    if (clients.length === 0) return;
    await this.index(instanceId, ttlMs);
    const key = instanceClientsKey(instanceId);
    await this.transaction('HSET gateway clients', (client) =>
      client
        .multi()
        .call('HSET', key, ...fieldsOf(clients))
        .call('PEXPIRE', key, ttlMs),
    );
  }

  async remove(instanceId: string, clientId: string): Promise<void> {
    await this.command('HDEL gateway client', (client) => client.call('HDEL', instanceClientsKey(instanceId), clientId));
  }

  async replace(instanceId: string, clients: readonly ConnectedClient[], ttlMs: number): Promise<void> {
    const key = instanceClientsKey(instanceId);
    if (clients.length === 0) {
      await this.command('DEL gateway clients', (client) => client.call('DEL', key));
      await this.command('ZREM gateway instance', (client) => client.call('ZREM', CLIENT_INSTANCES_KEY, instanceId));
      return;
    }
    await this.index(instanceId, ttlMs);
    await this.transaction('replace gateway clients', (client) =>
      client
        .multi()
        .call('DEL', key)
        .call('HSET', key, ...fieldsOf(clients))
        .call('PEXPIRE', key, ttlMs),
    );
  }

  async refresh(instanceId: string, ttlMs: number): Promise<boolean> {
    const extended = await this.command('PEXPIRE gateway clients', (client) =>
      client.call('PEXPIRE', instanceClientsKey(instanceId), ttlMs),
    );
    if (extended !== 1) return false;
    await this.index(instanceId, ttlMs);
    return true;
  }

  async list(): Promise<ConnectedClient[]> {
    const instances = await this.instances();
    const hashes = await Promise.all(
      instances.map(
        (instanceId) =>
          this.command('HGETALL gateway clients', (client) => client.call('HGETALL', instanceClientsKey(instanceId))) as Promise<string[]>,
      ),
    );
    return hashes.flatMap((flat) => flat.filter((_, index) => index % 2 === 1).flatMap((value) => decode(value) ?? []));
  }

  /** Should two instances hold one client id (a reconnect racing an expiry), the later connection. */
  async find(clientId: string): Promise<ConnectedClient | undefined> {
    const instances = await this.instances();
    const found = await Promise.all(
      instances.map(
        (instanceId) =>
          this.command('HGET gateway client', (client) => client.call('HGET', instanceClientsKey(instanceId), clientId)) as Promise<
            string | null
          >,
      ),
    );
    return found.flatMap((value) => (value === null ? [] : (decode(value) ?? []))).sort((a, b) => b.connectedAt - a.connectedAt)[0];
  }

  private async index(instanceId: string, ttlMs: number): Promise<void> {
    await this.command('ZADD gateway instance', (client) =>
      client.call('ZADD', CLIENT_INSTANCES_KEY, this.clock.now() + ttlMs, instanceId),
    );
  }

  /** The instances whose entries may still live; those long past their expiry leave the index. */
  private async instances(): Promise<string[]> {
    const oldest = this.clock.now() - INDEX_GRACE_MS;
    await this.command('ZREMRANGEBYSCORE gateway instances', (client) =>
      client.call('ZREMRANGEBYSCORE', CLIENT_INSTANCES_KEY, '-inf', `(${oldest}`),
    );
    return (await this.command('ZRANGE gateway instances', (client) => client.call('ZRANGE', CLIENT_INSTANCES_KEY, 0, -1))) as string[];
  }

  private command<T>(operation: string, send: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = this.connections.command;
    return callRedis(client, this.connections.timeouts, operation, () => send(client));
  }

  private async transaction(operation: string, build: (client: RedisClient) => ReturnType<RedisClient['multi']>): Promise<void> {
    const results = await this.command(operation, (client) => build(client).exec());
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }
}

const fieldsOf = (clients: readonly ConnectedClient[]): string[] => clients.flatMap((client) => [client.clientId, JSON.stringify(client)]);

/** A stored client, or undefined for a value that is not one (written by something else). */
const decode = (value: string): ConnectedClient | undefined => {
  try {
    const client = JSON.parse(value) as Partial<ConnectedClient> | null;
    const valid =
      typeof client?.clientId === 'string' &&
      typeof client.userId === 'string' &&
      typeof client.sessionId === 'string' &&
      typeof client.instanceId === 'string' &&
      Array.isArray(client.subscriptions) &&
      CONNECTION_TYPES.includes(client.connectionType!) &&
      typeof client.connectedAt === 'number' &&
      typeof client.lastSeenAt === 'number';
    return valid ? (client as ConnectedClient) : undefined;
  } catch {
    return undefined;
  }
};
