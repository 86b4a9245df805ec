import type { FastifyInstance } from 'fastify';
import type { ClientOptions } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../http/fastify-app.js';
import { listenHttp } from '../http/listen.js';
import { createLogger } from '../observability/logger.js';
import { SystemClock } from '../system/system-clock.js';
import { RandomIdGenerator } from '../system/random-id-generator.js';
import { Streams } from '../../core/messaging/channels.js';
import { toStreamFields } from '../../core/simulation/index.js';
import {
  aSample,
  createGatewayHarness,
  InMemoryAuthenticator,
  type GatewayHarness,
  type GatewayInstance,
} from '../../contract-tests/gateway/gateway-harness.js';
import { connectSocket, UpgradeRefused, type TestSocket } from '../../contract-tests/gateway/ws-client.js';
import { delay, waitFor } from '../../contract-tests/messaging/wait.js';
import { CloseCodes } from './close-codes.js';
import { WebSocketHub, type WebSocketHubOptions } from './web-socket-hub.js';

interface HubFixture {
  readonly harness: GatewayHarness;
  readonly gateway: GatewayInstance;
  readonly hub: WebSocketHub;
  readonly auth: InMemoryAuthenticator;
  readonly base: string;
  socket(path: string, protocols?: string[], options?: ClientOptions): TestSocket;
  stop(): Promise<void>;
}

const fixtures: HubFixture[] = [];

const startHub = async (options: WebSocketHubOptions = {}): Promise<HubFixture> => {
  const logger = createLogger('hub-test', 'silent');
  const harness = createGatewayHarness();
  const gateway = harness.instance();
  const auth = new InMemoryAuthenticator();
  auth.issue('ada-token', harness.identity('ada'));
  auth.issue('bob-token', harness.identity('bob'));
  harness.simulations.add('sim-1', ['ada']);
  const hub = new WebSocketHub(
    {
      sessions: gateway.sessions,
      registry: gateway.registry,
      authenticator: auth,
      ids: new RandomIdGenerator(),
      clock: new SystemClock(),
      logger,
    },
    { authTimeoutMs: 300, ...options },
  );
  const app: FastifyInstance = createHttpApp({ logger });
  hub.attach(app.server);
  app.addHook('preClose', async () => hub.close());
  const bound = await listenHttp(app, { host: '127.0.0.1', port: 0 });
  const sockets: TestSocket[] = [];
  const fixture: HubFixture = {
    harness,
    gateway,
    hub,
    auth,
    base: `ws://127.0.0.1:${bound.port}`,
    socket: (path, protocols, clientOptions) => {
      const socket = connectSocket(`ws://127.0.0.1:${bound.port}${path}`, protocols, clientOptions);
      sockets.push(socket);
      return socket;
    },
    stop: async () => {
      await Promise.all(sockets.map((socket) => socket.close()));
      await app.close();
      await harness.close();
    },
  };
  fixtures.push(fixture);
  return fixture;
};

afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.stop()));
});

describe('WebSocketHub', () => {
  describe('authentication', () => {
    it('accepts a token offered as the subprotocol after "bearer", and echoes "bearer"', async () => {
      const f = await startHub();
      const socket = f.socket('/events', ['bearer', 'ada-token']);
      await socket.opened;
      expect(socket.ws.protocol).toBe('bearer');
      const [connected] = await socket.waitForType('connected');
      expect(connected).toMatchObject({ user_id: 'ada', instance_id: 'gw-1' });
    });

    it('accepts a token sent as the first message', async () => {
      const f = await startHub();
      const socket = f.socket('/events');
      await socket.opened;
      socket.ws.send(JSON.stringify({ type: 'auth', token: 'bob-token' }));
      const [connected] = await socket.waitForType('connected');
      expect(connected).toMatchObject({ user_id: 'bob' });
    });

    it('closes with 4401 when no token comes in time', async () => {
      const f = await startHub({ authTimeoutMs: 100 });
      const socket = f.socket('/events');
      expect(await socket.closed).toMatchObject({ code: CloseCodes.unauthenticated });
      expect(socket.received).toEqual([]);
    });

    it('closes with 4401 for a token the auth service does not know', async () => {
      const f = await startHub();
      const viaProtocol = f.socket('/events', ['bearer', 'forged']);
      const viaMessage = f.socket('/events');
      await viaMessage.opened;
      viaMessage.ws.send(JSON.stringify({ type: 'auth', token: 'forged' }));
      expect((await viaProtocol.closed).code).toBe(CloseCodes.unauthenticated);
      expect((await viaMessage.closed).code).toBe(CloseCodes.unauthenticated);
    });

    it('closes with 1008 when the first message is not an auth message', async () => {
      const f = await startHub();
      const socket = f.socket('/events');
      await socket.opened;
      socket.ws.send('hello');
      expect(await socket.closed).toMatchObject({ code: CloseCodes.policy });
    });

    it('closes with 1009 when a frame exceeds the size limit', async () => {
      const f = await startHub({ maxMessageBytes: 1_024 });
      const socket = f.socket('/events', ['bearer', 'ada-token']);
      await socket.waitForType('connected');
      socket.ws.send(JSON.stringify({ type: 'ping', padding: 'x'.repeat(2_000) }));
      expect((await socket.closed).code).toBe(CloseCodes.tooBig);
    });
  });

  describe('routing the upgrade', () => {
    it('answers 404 for a path it does not serve, and 403 for a browser page of a foreign origin', async () => {
      const f = await startHub({ allowOrigin: (origin) => origin === 'https://app.example' });
      await expect(f.socket('/nowhere').opened).rejects.toEqual(new UpgradeRefused(404));
      await expect(f.socket('/events', undefined, { origin: 'https://evil.example' }).opened).rejects.toEqual(new UpgradeRefused(403));
      await f.socket('/events', ['bearer', 'ada-token'], { origin: 'https://app.example' }).waitForType('connected');
    });

    it('answers 429 with Retry-After when the address opened too many', async () => {
      const f = await startHub({ admit: () => ({ allowed: false, retryAfterMs: 2_500 }) });
      await expect(f.socket('/events').opened).rejects.toEqual(new UpgradeRefused(429));
    });
  });

  describe('sockets per user', () => {
    it('closes a user\'s socket past the cap with 4429 "too many sockets", whichever way it authenticated, and counts others apart', async () => {
      const f = await startHub({ maxSocketsPerUser: 3 });
      const held = [f.socket('/events', ['bearer', 'ada-token']), f.socket('/events', ['bearer', 'ada-token'])];
      held.push(f.socket('/simulation/stream?simulation_id=sim-1', ['bearer', 'ada-token']));
      for (const socket of held.slice(0, 2)) await socket.waitForType('connected');
      await held[2]!.opened;

      const extra = f.socket('/events', ['bearer', 'ada-token']);
      const byMessage = f.socket('/events');
      await byMessage.opened;
      byMessage.ws.send(JSON.stringify({ type: 'auth', token: 'ada-token' }));

      expect(await extra.closed).toEqual({ code: 4429, reason: 'too many sockets: at most 3 per user' });
      expect((await byMessage.closed).code).toBe(CloseCodes.tooMany);
      await f.socket('/events', ['bearer', 'bob-token']).waitForType('connected');
      expect(f.hub.stats().sockets).toBe(4);
    });

    it("gives a slot back when one of the user's sockets closes", async () => {
      const f = await startHub({ maxSocketsPerUser: 1 });
      const first = f.socket('/events', ['bearer', 'ada-token']);
      await first.waitForType('connected');
      expect((await f.socket('/events', ['bearer', 'ada-token']).closed).code).toBe(CloseCodes.tooMany);

      await first.close();

      await waitFor(() => f.hub.stats().sockets === 0, 2_000, 'the first socket to be forgotten');
      await f.socket('/events', ['bearer', 'ada-token']).waitForType('connected');
    });

    it('admits no more than the cap from a burst of concurrent sockets of one user', async () => {
      const f = await startHub({ maxSocketsPerUser: 5 });
      const burst = Array.from({ length: 20 }, () => f.socket('/events', ['bearer', 'ada-token']));

      const closures = await Promise.all(burst.map((socket) => Promise.race([socket.closed, delay(1_500).then(() => undefined)])));

      expect(closures.filter((closure) => closure === undefined)).toHaveLength(5);
      expect(closures.filter((closure) => closure?.code === CloseCodes.tooMany)).toHaveLength(15);
    });
  });

  describe('/simulation/stream', () => {
    it('streams simulation_metrics with epoch-ms timestamps for entries appended to the stream', async () => {
      const f = await startHub();
      const socket = f.socket('/simulation/stream?simulation_id=sim-1', ['bearer', 'ada-token']);
      await socket.waitForType('simulation_status');

      await f.harness.appendSamples('sim-1', [1, 2, 3]);

      const metrics = await socket.waitForType('simulation_metrics', 3);
      expect(metrics[0]).toEqual({
        type: 'simulation_metrics',
        id: expect.stringMatching(/^\d+-\d+$/),
        simulation_id: 'sim-1',
        ...aSample(1),
      });
      expect(metrics.map((message) => message['simulation_step'])).toEqual([1, 2, 3]);
      expect(metrics[0]!['timestamp']).toBe(aSample(1).timestamp);
    });

    it('closes with 4403 for a simulation the user may not read, 4404 for an unknown one, 1008 without an id', async () => {
      const f = await startHub();
      const forbidden = f.socket('/simulation/stream?simulation_id=sim-1', ['bearer', 'bob-token']);
      const unknown = f.socket('/simulation/stream?simulation_id=nope', ['bearer', 'ada-token']);
      const missing = f.socket('/simulation/stream', ['bearer', 'ada-token']);
      expect((await forbidden.closed).code).toBe(CloseCodes.forbidden);
      expect((await unknown.closed).code).toBe(CloseCodes.notFound);
      expect((await missing.closed).code).toBe(CloseCodes.policy);
    });

    it('forgets the watcher and stops reading when its socket closes', async () => {
      const f = await startHub();
      const socket = f.socket('/simulation/stream?simulation_id=sim-1', ['bearer', 'ada-token']);
      await socket.waitForType('simulation_status');
      expect(f.gateway.fanOut.readers).toEqual([Streams.simulation('sim-1')]);
      await socket.close();
      await waitFor(() => f.gateway.registry.size === 0, 5_000, 'the watcher to be forgotten');
      expect(f.gateway.fanOut.readers).toEqual([]);
    });
  });

  describe('slow clients', () => {
    const entries = (from: number, count: number) => Array.from({ length: count }, (_, i) => toStreamFields(aSample(from + i)));

    it('do not delay fast ones, and what the gateway holds for them stays bounded', async () => {
      const limits = { highWaterBytes: 16 * 1024, maxQueuedMessages: 64, maxLagMs: 600_000 };
      const f = await startHub({ connectionLimits: limits });
      f.harness.simulations.add('sim-1', ['ada', 'bob']);
      const slow = f.socket('/simulation/stream?simulation_id=sim-1', ['bearer', 'bob-token']);
      const fast = f.socket('/simulation/stream?simulation_id=sim-1', ['bearer', 'ada-token']);
      await slow.waitForType('simulation_status');
      await fast.waitForType('simulation_status');
      slow.ws.pause();

      const total = 30_000;
      let largest = 0;
      for (let from = 1; from <= total; from += 1_000) {
        await f.harness.streams.appendBatch(Streams.simulation('sim-1'), entries(from, 1_000));
        await waitFor(() => fast.ofType('simulation_metrics').length >= from + 999, 20_000, 'the fast client to keep up');
        largest = Math.max(largest, ...f.hub.stats().bufferedBytes);
      }

      const steps = fast.ofType('simulation_metrics').map((message) => message['simulation_step']);
      expect(steps).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(f.hub.stats().dropped).toBeGreaterThan(0);
      // About 10 MB went to the slow client: the socket buffer stops at the high-water mark (plus one frame), the queue at 64 frames.
      expect(largest).toBeGreaterThan(limits.highWaterBytes);
      expect(largest).toBeLessThan(limits.highWaterBytes + limits.maxQueuedMessages * 400);
      expect(slow.ws.readyState).toBe(slow.ws.OPEN);
    }, 60_000);

    it('are closed with 1013 when they stay behind too long, and the observer is told of the drops and the close', async () => {
      const observed = { closes: [] as string[], dropped: 0 };
      const observer = {
        closed: (reason: string) => void observed.closes.push(reason),
        dropped: (count: number) => void (observed.dropped += count),
      };
      const f = await startHub({ connectionLimits: { highWaterBytes: 1_024, maxQueuedMessages: 8, maxLagMs: 200 }, observer });
      const slow = f.socket('/simulation/stream?simulation_id=sim-1', ['bearer', 'ada-token']);
      await slow.waitForType('simulation_status');
      slow.ws.pause();
      let from = 1;
      await waitFor(
        async () => {
          await f.harness.streams.appendBatch(Streams.simulation('sim-1'), entries(from, 500));
          from += 500;
          return f.hub.stats().closing === 1;
        },
        20_000,
        'the gateway to close the slow client',
      );
      slow.ws.resume();
      expect((await slow.closed).code).toBe(CloseCodes.tryAgainLater);
      await waitFor(() => f.gateway.registry.size === 0, 5_000, 'the slow client to be forgotten');
      expect(observed.closes).toEqual(['lagging']);
      expect(observed.dropped).toBeGreaterThan(0);
    }, 30_000);
  });

  describe('liveness', () => {
    it('answers a ping message with pong', async () => {
      const f = await startHub();
      const socket = f.socket('/events', ['bearer', 'ada-token']);
      await socket.waitForType('connected');
      socket.ws.send(JSON.stringify({ type: 'ping' }));
      await socket.waitForType('pong');
    });

    it('drops a peer that does not answer pings, and tells the observer', async () => {
      const closes: string[] = [];
      const f = await startHub({ heartbeatMs: 50, observer: { closed: (reason) => void closes.push(reason), dropped: () => undefined } });
      const dead = f.socket('/events', ['bearer', 'ada-token'], { autoPong: false });
      const alive = f.socket('/events', ['bearer', 'bob-token']);
      await dead.waitForType('connected');
      await alive.waitForType('connected');
      expect((await dead.closed).code).toBe(1006);
      await delay(150);
      expect(alive.ws.readyState).toBe(alive.ws.OPEN);
      expect(closes).toEqual(['unresponsive']);
    });
  });

  it('closes every socket with 1001 when the server stops', async () => {
    const f = await startHub();
    const socket = f.socket('/events', ['bearer', 'ada-token']);
    await socket.waitForType('connected');
    await f.hub.close();
    expect([CloseCodes.goingAway, 1006]).toContain((await socket.closed).code);
  });
});
