import type { CollaborationPresence, ExpiredClient, PresentClient } from '../../core/project/ports.js';
import { callRedis, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';

/** The clients of one project's session: a hash, client id to `{userId, role, expiresAt}`. */
export const presenceKey = (projectId: string): string => `collaboration:presence:${projectId}`;
/** Every client's expiry, for the sweep: a sorted set of `<project id>\n<client id>` scored by expiry. */
export const PRESENCE_EXPIRY_KEY = 'collaboration:presence-expiry';

interface StoredClient {
  readonly userId: string;
  readonly role: PresentClient['role'];
  readonly expiresAt: number;
}

/**
 * Collaboration presence on the mesh's Redis, shared by every project instance (docs/adr/0050).
 * One key per command, so it runs on a cluster too. Exactly-once hand-over comes from the replies:
 * HDEL answers 1 to one caller only, ZREM likewise for the sweep's claim.
 */
export class RedisCollaborationPresence implements CollaborationPresence {
  constructor(private readonly connections: RedisConnections) {}

  async enter(projectId: string, client: PresentClient, expiresAt: number): Promise<boolean> {
    const stored: StoredClient = { userId: client.userId, role: client.role, expiresAt };
    const added = (await this.command('HSET presence', (redis) =>
      redis.call('HSET', presenceKey(projectId), client.clientId, JSON.stringify(stored)),
    )) as number;
    await this.command('ZADD presence expiry', (redis) =>
      redis.call('ZADD', PRESENCE_EXPIRY_KEY, expiresAt, member(projectId, client.clientId)),
    );
    return added === 1;
  }

  async leave(projectId: string, clientId: string): Promise<PresentClient | undefined> {
    const raw = (await this.command('HGET presence', (redis) => redis.call('HGET', presenceKey(projectId), clientId))) as string | null;
    const removed = (await this.command('HDEL presence', (redis) => redis.call('HDEL', presenceKey(projectId), clientId))) as number;
    await this.command('ZREM presence expiry', (redis) => redis.call('ZREM', PRESENCE_EXPIRY_KEY, member(projectId, clientId)));
    return removed === 1 && raw !== null ? clientOf(clientId, parse(raw)) : undefined;
  }

  async clients(projectId: string, now: number): Promise<PresentClient[]> {
    const flat = (await this.command('HGETALL presence', (redis) => redis.call('HGETALL', presenceKey(projectId)))) as string[];
    const clients: PresentClient[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) {
      const stored = parse(flat[index + 1]!);
      if (stored.expiresAt > now) clients.push(clientOf(flat[index]!, stored));
    }
    return clients.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
  }

  async expire(now: number, limit: number): Promise<ExpiredClient[]> {
    const due = (await this.command('ZRANGEBYSCORE presence expiry', (redis) =>
      redis.call('ZRANGEBYSCORE', PRESENCE_EXPIRY_KEY, '-inf', now, 'LIMIT', 0, limit),
    )) as string[];
    const expired: ExpiredClient[] = [];
    for (const entry of due) {
      const [projectId, clientId] = entry.split('\n') as [string, string];
      const claimed = (await this.command('ZREM presence expiry', (redis) => redis.call('ZREM', PRESENCE_EXPIRY_KEY, entry))) as number;
      if (claimed !== 1) continue;
      const raw = (await this.command('HGET presence', (redis) => redis.call('HGET', presenceKey(projectId), clientId))) as string | null;
      if (raw === null) continue;
      const stored = parse(raw);
      // Renewed after the range was read: put the claim back instead of taking the client out.
      if (stored.expiresAt > now) {
        await this.command('ZADD presence expiry', (redis) => redis.call('ZADD', PRESENCE_EXPIRY_KEY, stored.expiresAt, entry));
        continue;
      }
      const removed = (await this.command('HDEL presence', (redis) => redis.call('HDEL', presenceKey(projectId), clientId))) as number;
      if (removed === 1) expired.push({ projectId, client: clientOf(clientId, stored) });
    }
    return expired;
  }

  private command<T>(operation: string, send: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = this.connections.command;
    return callRedis(client, this.connections.timeouts, operation, () => send(client));
  }
}

const member = (projectId: string, clientId: string): string => `${projectId}\n${clientId}`;
const parse = (raw: string): StoredClient => JSON.parse(raw) as StoredClient;
const clientOf = (clientId: string, stored: StoredClient): PresentClient => ({ clientId, userId: stored.userId, role: stored.role });
