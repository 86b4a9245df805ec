import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../http/fastify-app.js';
import { listenHttp } from '../http/listen.js';
import { createLogger } from '../observability/logger.js';
import { SystemClock } from '../system/system-clock.js';
import { RandomIdGenerator } from '../system/random-id-generator.js';
import { Streams } from '../../core/messaging/channels.js';
import { createGatewayHarness, InMemoryAuthenticator, type GatewayHarness } from '../../contract-tests/gateway/gateway-harness.js';
import { connectSocket, type Received, type TestSocket } from '../../contract-tests/gateway/ws-client.js';
import { delay } from '../../contract-tests/messaging/wait.js';
import { CloseCodes } from './close-codes.js';
import { WebSocketHub } from './web-socket-hub.js';

/** Item 4 of issue 16 (docs/adr/0051): a watcher that drops and reconnects with `last_id` gets what the stream holds after it, in order, once. */

interface Fixture {
  readonly harness: GatewayHarness;
  socket(path: string): TestSocket;
  stop(): Promise<void>;
}

const fixtures: Fixture[] = [];

const start = async (): Promise<Fixture> => {
  const logger = createLogger('resume-test', 'silent');
  const harness = createGatewayHarness();
  const gateway = harness.instance();
  const auth = new InMemoryAuthenticator();
  auth.issue('ada-token', harness.identity('ada'));
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
    { authTimeoutMs: 1_000 },
  );
  const app: FastifyInstance = createHttpApp({ logger });
  hub.attach(app.server);
  app.addHook('preClose', async () => hub.close());
  const bound = await listenHttp(app, { host: '127.0.0.1', port: 0 });
  const sockets: TestSocket[] = [];
  const fixture: Fixture = {
    harness,
    socket: (path) => {
      const socket = connectSocket(`ws://127.0.0.1:${bound.port}${path}`, ['bearer', 'ada-token']);
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

const steps = (messages: readonly Received[]) => messages.map((message) => message['simulation_step']);
const lastIdOf = (messages: readonly Received[]) => String(messages.at(-1)!['id']);

describe('resuming a stream-backed socket from the last entry id it saw', () => {
  it('/simulation/stream: drop, 40 samples appended meanwhile, reconnect with last_id: exactly those 40 in order, then the live ones', async () => {
    const f = await start();
    const first = f.socket('/simulation/stream?simulation_id=sim-1');
    await first.waitForType('simulation_status');
    await f.harness.appendSamples('sim-1', [1, 2, 3]);
    const seen = await first.waitForType('simulation_metrics', 3);
    await first.close();

    await f.harness.appendSamples(
      'sim-1',
      Array.from({ length: 40 }, (_, i) => 4 + i),
    );
    const again = f.socket(`/simulation/stream?simulation_id=sim-1&last_id=${encodeURIComponent(lastIdOf(seen))}`);
    await again.waitForType('simulation_metrics', 40);
    await f.harness.appendSamples('sim-1', [44]);
    await again.waitForType('simulation_metrics', 41);
    await delay(100);

    expect(steps(again.ofType('simulation_metrics'))).toEqual(Array.from({ length: 41 }, (_, i) => 4 + i));
    expect(again.received[0]?.type).toBe('simulation_status');
  });

  it('/simulation/stream: a simulation that ended meanwhile gives the rest, then simulation_completed and close 1000', async () => {
    const f = await start();
    const first = f.socket('/simulation/stream?simulation_id=sim-1');
    await first.waitForType('simulation_status');
    await f.harness.appendSamples('sim-1', [1]);
    const seen = await first.waitForType('simulation_metrics', 1);
    await first.close();
    await f.harness.appendSamples('sim-1', [2, 3, 4]);
    f.harness.simulations.add('sim-1', ['ada'], 'completed');

    const again = f.socket(`/simulation/stream?simulation_id=sim-1&last_id=${lastIdOf(seen)}`);

    expect((await again.closed).code).toBe(CloseCodes.normal);
    expect(again.received.map((message) => message.type)).toEqual([
      'simulation_status',
      'simulation_metrics',
      'simulation_metrics',
      'simulation_metrics',
      'simulation_completed',
    ]);
    expect(steps(again.ofType('simulation_metrics'))).toEqual([2, 3, 4]);
  });

  it('/events: drop, 25 notifications appended meanwhile, reconnect with last_id: exactly those 25 in order', async () => {
    const f = await start();
    const stream = Streams.notifications('ada');
    const first = f.socket('/events');
    await first.waitForType('connected');
    await f.harness.streams.append(stream, { type: 'project_shared', n: '0' });
    const seen = await first.waitForType('notification', 1);
    await first.close();

    for (let n = 1; n <= 25; n += 1) await f.harness.streams.append(stream, { type: 'project_shared', n: String(n) });
    const again = f.socket(`/events?last_id=${lastIdOf(seen)}`);
    await again.waitForType('notification', 25);
    await delay(100);

    const notifications = again.ofType('notification');
    expect(notifications.map((message) => (message['notification'] as Record<string, string>)['n'])).toEqual(
      Array.from({ length: 25 }, (_, i) => String(i + 1)),
    );
    expect(new Set(notifications.map((message) => message['id'])).size).toBe(25);
  });

  it('refuses a last_id that is not an entry id (1008)', async () => {
    const f = await start();
    const socket = f.socket('/events?last_id=yesterday');

    const closure = await socket.closed;

    expect(closure.code).toBe(CloseCodes.policy);
    expect(closure.reason).toMatch(/last_id/);
  });
});
