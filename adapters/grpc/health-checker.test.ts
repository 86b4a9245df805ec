import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { delay, waitFor } from '../../contract-tests/messaging/wait.js';
import { Discovery } from '../../core/discovery/discovery.js';
import type { InstanceStatus } from '../../core/discovery/instance.js';
import { InMemoryServiceRegistry } from '../memory/in-memory-service-registry.js';
import { SystemClock } from '../system/system-clock.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { HealthChecker, type HealthCheckerOptions } from './health-checker.js';
import { testLogger } from '../../test-support/test-logger.js';

const logger = testLogger('health-checker-test');

const startServer = (port = 0, shutdownGraceMs = 10_000): Promise<RunningGrpcServer> =>
  startGrpcServer({ serviceName: 'target', host: '127.0.0.1', port, services: [], logger, shutdownGraceMs });

describe('HealthChecker', () => {
  let registry: InMemoryServiceRegistry;
  let discovery: Discovery;
  let checker: HealthChecker | undefined;
  const servers: RunningGrpcServer[] = [];

  beforeEach(async () => {
    checker = undefined;
    registry = new InMemoryServiceRegistry(new SystemClock());
    discovery = new Discovery(registry, new SystemClock());
    await discovery.start();
  });
  afterEach(async () => {
    checker?.close();
    await discovery.close();
    registry.close();
    await Promise.all(servers.splice(0).map((server) => server.server.forceShutdown()));
  });

  const serve = async (port = 0): Promise<RunningGrpcServer> => {
    const server = await startServer(port);
    servers.push(server);
    return server;
  };

  /** Registers an instance at `port` and starts checking the `target` service. */
  const check = async (port: number, options: Partial<HealthCheckerOptions> = {}, instanceId = 'i1'): Promise<HealthChecker> => {
    await registry.register(
      { service: 'target', instanceId, host: '127.0.0.1', grpcPort: port, httpPort: 1, status: 'healthy', startedAt: Date.now() },
      60_000,
    );
    await waitFor(() => discovery.current('target').some((i) => i.instanceId === instanceId), 2_000, 'the instance');
    checker ??= new HealthChecker(discovery, discovery, { services: ['target'], retryMs: 100, logger, ...options });
    checker.start();
    return checker;
  };

  const statusOf = (instanceId = 'i1'): InstanceStatus | undefined =>
    discovery.current('target').find((i) => i.instanceId === instanceId)?.status;

  it('keeps a SERVING instance in rotation and counts its checks', async () => {
    const server = await serve();
    const running = await check(server.port);

    await waitFor(() => running.stats().checks >= 2, 5_000, 'a Check and the first Watch update');

    expect(statusOf()).toBe('healthy');
    expect(running.stats()).toMatchObject({ failures: 0, successRate: 1, monitored: 1, unhealthy: 0 });
  });

  it('records a killed instance unhealthy in the registry at once, with the reason, where every process reads it', async () => {
    const server = await serve();
    const reportedBy = 'process 1 on test-host';
    const running = await check(server.port, {
      intervalMs: 30_000,
      reports: {
        reportUnhealthy: (instance, reason) => void registry.reportUnhealthy(instance.service, instance.instanceId, { reason, reportedBy }),
      },
    });
    await waitFor(() => running.stats().checks >= 2, 5_000, 'the Watch stream open');

    const killedAt = Date.now();
    server.server.forceShutdown();
    await waitFor(async () => (await registry.list('target'))[0]?.status === 'unhealthy', 5_000, 'the report in the registry');

    expect(Date.now() - killedAt).toBeLessThan(1_000);
    const [record] = await registry.list('target');
    expect(record).toMatchObject({ statusReportedBy: reportedBy, statusReason: expect.stringMatching(/UNAVAILABLE/) });
  });

  it('keeps a check that only timed out to itself: a slow host is no evidence against the instance', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket)); // accepts connections, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const reported: string[] = [];
    try {
      await check((silent.address() as AddressInfo).port, {
        timeoutMs: 200,
        reports: { reportUnhealthy: (_instance, reason) => void reported.push(reason) },
      });
      await waitFor(() => statusOf() === 'unhealthy', 5_000, 'the local verdict');

      expect(reported).toEqual([]);
      expect((await registry.list('target'))[0]?.status).toBe('healthy');
    } finally {
      checker?.close();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('marks an instance unhealthy within a second of going NOT_SERVING (Watch), and healthy once it serves again', async () => {
    const server = await serve();
    const running = await check(server.port, { intervalMs: 30_000 });
    await waitFor(() => running.stats().checks >= 2, 5_000, 'the Watch stream open');

    const notServingAt = Date.now();
    server.health.setAll('NOT_SERVING');
    await waitFor(() => statusOf() === 'unhealthy', 5_000, 'the unhealthy mark');
    // The 30 s Check interval cannot have done it: the Watch stream did.
    expect(Date.now() - notServingAt).toBeLessThan(1_000);

    server.health.setAll('SERVING');
    await waitFor(() => statusOf() === 'healthy', 5_000, 'the return to rotation');
    expect(running.stats().successRate).toBeLessThan(1);
  });

  it('marks an instance whose server died unhealthy at once, and healthy when it is back on its port', async () => {
    const server = await serve();
    const running = await check(server.port, { intervalMs: 30_000, maxRetryMs: 300 });
    await waitFor(() => running.stats().checks >= 2, 5_000, 'the Watch stream open');

    const diedAt = Date.now();
    server.server.forceShutdown();
    await waitFor(() => statusOf() === 'unhealthy', 5_000, 'the unhealthy mark');
    expect(Date.now() - diedAt).toBeLessThan(1_000);

    await serve(server.port);
    await waitFor(() => statusOf() === 'healthy', 5_000, 'the return to rotation');
  });

  it('marks an instance that nothing answers for unhealthy, and keeps retrying it', async () => {
    const server = await serve();
    const port = server.port;
    server.server.forceShutdown();
    const running = await check(port);

    await waitFor(() => statusOf() === 'unhealthy', 5_000, 'the unhealthy mark');
    await waitFor(() => running.stats().failures >= 3, 5_000, 'retries');
    expect(running.stats()).toMatchObject({ successRate: 0, unhealthy: 1 });
  });

  it('does not hold up the graceful shutdown of an instance it watches', async () => {
    const server = await startServer(0, 8_000);
    servers.push(server);
    const running = await check(server.port, { intervalMs: 30_000 });
    await waitFor(() => running.stats().checks >= 2, 5_000, 'the Watch stream open');

    const started = Date.now();
    await server.shutdown();

    // NOT_SERVING made the checker cancel its stream: no wait for the 8 s grace period.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(statusOf()).toBe('unhealthy');
  });

  it('starts and stops checking instances as they come and go', async () => {
    const server = await serve();
    const running = await check(server.port, {}, 'first');
    await check(server.port, {}, 'second');
    await waitFor(() => running.stats().monitored === 2, 2_000, 'two monitored instances');

    await registry.deregister('target', 'first');

    await waitFor(() => running.stats().monitored === 1, 2_000, 'one monitored instance');
    await delay(50);
    expect(statusOf('second')).toBe('healthy');
  });
});
