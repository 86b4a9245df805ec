import { createServer, type Server as NetServer } from 'node:net';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { GlobalConnectionScaler } from '../../../core/pool-scaling/global-connection-scaler.js';
import { poolScalingConfig } from '../../../core/pool-scaling/config.js';
import { AuthServiceClient } from '../generated/auth.js';
import { createLogger } from '../../observability/logger.js';
import { SystemClock } from '../../system/system-clock.js';
import { GrpcChannelPool } from './grpc-channel-pool.js';

type Done = (code: status, cancelledByCaller: boolean) => void;

const listening = async (): Promise<{ server: Server; address: string }> => {
  const server = new Server();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
};

const poolOf = (address: string, connections: number, streamsBeforeSpreading?: number, scaler = new GlobalConnectionScaler()) =>
  new GrpcChannelPool(
    AuthServiceClient,
    {
      service: 'auth',
      instanceId: 'a',
      address,
      scaling: poolScalingConfig({ minConnections: connections, maxConnections: connections }),
      maxPendingCalls: 10,
      maxStreamsPerConnection: 100,
      ...(streamsBeforeSpreading !== undefined && { streamsBeforeSpreading }),
      channelOptions: { 'grpc.initial_reconnect_backoff_ms': 50, 'grpc.max_reconnect_backoff_ms': 100 },
      connectTimeoutMs: 5_000,
      clock: new SystemClock(),
      logger: createLogger('test', 'silent'),
    },
    scaler,
  );

/** A port that accepts TCP connections and drops each at once (an instance that cannot serve), counting them. */
const droppingEveryConnection = async (): Promise<{ server: NetServer; port: number; accepted: () => number }> => {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, accepted: () => accepted };
};

const waitFor = async (what: string, condition: () => boolean, timeoutMs = 5_000) => {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const allReady = async (pool: GrpcChannelPool<AuthServiceClient>, count: number) => {
  const until = Date.now() + 5_000;
  while (pool.snapshot().readyConnections < count) {
    if (Date.now() > until) throw new Error('connections not ready');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Admits `count` calls that stay in flight; answers the client each was given and how to end it. */
const admitHeld = (pool: GrpcChannelPool<AuthServiceClient>, count: number) => {
  const sent: { client: AuthServiceClient; done: Done }[] = [];
  for (let i = 0; i < count; i += 1) {
    pool.admit(
      Infinity,
      (client, done) => sent.push({ client, done }),
      () => undefined,
    );
  }
  return sent;
};

/** How many calls each distinct client got, in order of first use. */
const callsPerConnection = (sent: readonly { client: AuthServiceClient }[]) => {
  const counts = new Map<AuthServiceClient, number>();
  for (const { client } of sent) counts.set(client, (counts.get(client) ?? 0) + 1);
  return [...counts.values()];
};

describe('a pool admitting calls itself', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('fills one connection up to streamsBeforeSpreading before using the next', async () => {
    const { server, address } = await listening();
    cleanup.push(() => server.forceShutdown());
    const pool = poolOf(address, 3, 3);
    cleanup.push(() => pool.close());
    await allReady(pool, 3);

    const sent = admitHeld(pool, 5);

    expect(callsPerConnection(sent)).toEqual([3, 2]);
    expect(pool.snapshot().inFlight).toBe(5);
    for (const { done } of sent) done(status.OK, false);
    expect(pool.snapshot().inFlight).toBe(0);
  });

  it('spreads calls over the least busy connections when packing is off', async () => {
    const { server, address } = await listening();
    cleanup.push(() => server.forceShutdown());
    const pool = poolOf(address, 3);
    cleanup.push(() => pool.close());
    await allReady(pool, 3);

    const sent = admitHeld(pool, 6);

    expect(callsPerConnection(sent)).toEqual([2, 2, 2]);
    for (const { done } of sent) done(status.OK, false);
  });

  it('refuses at once with UNAVAILABLE once closed', async () => {
    const { server, address } = await listening();
    cleanup.push(() => server.forceShutdown());
    const pool = poolOf(address, 1);
    pool.close();
    const refusals: status[] = [];

    pool.admit(
      Infinity,
      () => refusals.push(status.OK),
      (code) => refusals.push(code),
    );

    expect(refusals).toEqual([status.UNAVAILABLE]);
  });

  it('keeps one connection dialling an instance it cannot reach, and reopens the others once it is reached', async () => {
    const unreachable = await droppingEveryConnection();
    cleanup.push(() => new Promise((resolve) => unreachable.server.close(resolve)));
    const scaler = new GlobalConnectionScaler();
    const pool = poolOf(`127.0.0.1:${unreachable.port}`, 5, undefined, scaler);
    cleanup.push(() => pool.close());

    await waitFor('parked', () => pool.snapshot().parkedConnections === 4);
    expect(pool.connectionCount()).toBe(1);
    expect(scaler.snapshot().totalConnections).toBe(1);
    // One connection on a 50-100 ms backoff dials at most ~20 times a second; five would dial ~5 times that.
    const before = unreachable.accepted();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(unreachable.accepted() - before).toBeLessThanOrEqual(25);

    await new Promise((resolve) => unreachable.server.close(resolve));
    const server = new Server();
    cleanup.push(() => server.forceShutdown());
    await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${unreachable.port}`, ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    await allReady(pool, 5);
    expect(pool.snapshot().parkedConnections).toBe(0);
    expect(scaler.snapshot().totalConnections).toBe(5);
  });
});
