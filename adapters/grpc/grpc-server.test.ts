import { afterEach, describe, expect, it, vi } from 'vitest';
import { authClient, startAuthServer, validateToken } from '../../contract-tests/grpc/auth-test-server.js';
import { checkHealth, watchHealth } from '../../contract-tests/grpc/health-probe.js';
import { ValidateTokenResponse } from './generated/auth.js';
import type { RunningGrpcServer } from './grpc-server.js';
import { unaryHandler } from './unary-handler.js';

describe('startGrpcServer', () => {
  const started: RunningGrpcServer[] = [];
  const start = async (options?: Parameters<typeof startAuthServer>[1]) => {
    const server = await startAuthServer({}, options);
    started.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.shutdown()));
  });

  it('binds a free port when asked for port 0 and serves on it', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(await checkHealth(server.address, 'auth.AuthService')).toBe('SERVING');
  });

  it('rejects when the port is already taken', async () => {
    const first = await start();
    const second = startAuthServer({}, { port: first.port }).then((server) => started.push(server));
    await expect(second).rejects.toThrow(/address already in use/i);
    expect(await checkHealth(first.address)).toBe('SERVING');
  });

  it('reports NOT_SERVING for the server and each service once told so', async () => {
    const server = await start();
    server.health.setAll('NOT_SERVING');
    expect(await checkHealth(server.address)).toBe('NOT_SERVING');
    expect(await checkHealth(server.address, 'auth.AuthService')).toBe('NOT_SERVING');
    server.health.setStatus('auth.AuthService', 'SERVING');
    expect(await checkHealth(server.address, 'auth.AuthService')).toBe('SERVING');
  });

  it('turns NOT_SERVING, then stops even while a call stays open past the grace period', async () => {
    const server = await start({ shutdownGraceMs: 300 });
    const watch = watchHealth(server.address); // a stream that never ends by itself
    await vi.waitFor(() => expect(watch.statuses).toEqual(['SERVING']), { timeout: 15_000 });

    await server.shutdown();
    await watch.ended;
    expect(watch.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    await expect(checkHealth(server.address, '', 1_000)).rejects.toThrow();
  });

  it('shuts down once however often it is asked', async () => {
    const server = await start();
    const first = server.shutdown();
    expect(server.shutdown()).toBe(first);
    await first;
  });

  it('lets a call in flight finish within the grace period', async () => {
    let release: (() => void) | undefined;
    const server = await startAuthServer({
      validateToken: unaryHandler(async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return ValidateTokenResponse.fromPartial({ valid: true });
      }),
    });
    const client = authClient(server);
    const answer = validateToken(client);
    await vi.waitFor(() => expect(release).toBeDefined(), { timeout: 15_000 });

    const stopped = server.shutdown();
    release!();
    expect((await answer).response?.valid).toBe(true);
    await stopped;
    client.close();
  });
});
