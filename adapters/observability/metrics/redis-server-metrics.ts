import { Cluster } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { RedisClient } from '../../redis/redis-call.js';

const INFO_TIMEOUT_MS = 1_000;
const SCRAPE_REUSE_MS = 250;

/**
 * The Redis server(s) layer 3 runs on, read at scrape time with `INFO clients` on this process's
 * command connection (every master of a cluster): whether it answers, and its connected and blocked
 * clients (every process's connections, as the server counts them). A server that does not answer
 * within 1 s shows `meshwork_redis_up 0` and no client counts; the scrape itself never fails.
 */
export const registerRedisServerMetrics = (registry: Registry, client: () => RedisClient | undefined): void => {
  // The families of one scrape are collected in parallel: they share one INFO round trip.
  let last: { readonly at: number; readonly counts: Promise<ClientCounts | undefined> } | undefined;
  const read = (): Promise<ClientCounts | undefined> => {
    const now = Date.now();
    if (last && now - last.at < SCRAPE_REUSE_MS) return last.counts;
    const redis = client();
    const counts = redis ? withTimeout(clientCounts(redis), INFO_TIMEOUT_MS).catch(() => undefined) : Promise.resolve(undefined);
    last = { at: now, counts };
    return counts;
  };
  const registers = [registry];
  new Gauge({
    name: 'meshwork_redis_clients',
    help: 'Client connections of the Redis server(s), by state (INFO clients)',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      const counts = await read();
      if (!counts) return;
      this.set({ state: 'connected' }, counts.connected);
      this.set({ state: 'blocked' }, counts.blocked);
    },
  });
  new Gauge({
    name: 'meshwork_redis_up',
    help: '1 when the Redis server(s) of layer 3 answered INFO at this scrape',
    registers,
    async collect() {
      this.reset();
      if (!client()) return;
      this.set((await read()) ? 1 : 0);
    },
  });
};

interface ClientCounts {
  readonly connected: number;
  readonly blocked: number;
}

const clientCounts = async (redis: RedisClient): Promise<ClientCounts> => {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const infos = await Promise.all(nodes.map((node) => node.info('clients')));
  return infos.reduce(
    (sum, info) => ({ connected: sum.connected + field(info, 'connected_clients'), blocked: sum.blocked + field(info, 'blocked_clients') }),
    {
      connected: 0,
      blocked: 0,
    },
  );
};

const field = (info: string, name: string): number => {
  const match = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
};

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
