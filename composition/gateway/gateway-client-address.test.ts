import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../service-server.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';

/** An h2c session to 127.0.0.1:`port` from the loopback address `from` (Linux answers on all of 127.0.0.0/8). */
const sessionFrom = (from: string, port: number): ClientHttp2Session =>
  http2Connect(`http://127.0.0.1:${port}`, { createConnection: () => netConnect({ host: '127.0.0.1', port, localAddress: from }) });

const postStatus = (session: ClientHttp2Session, path: string, body: unknown, headers: Record<string, string> = {}): Promise<number> =>
  new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json', ...headers });
    let status = 0;
    stream.on('response', (answer) => (status = Number(answer[':status'])));
    stream.on('data', () => undefined);
    stream.on('end', () => resolve(status));
    stream.on('error', reject);
    stream.end(JSON.stringify(body));
  });

/**
 * The client's address reaches auth through the gateway, signed, so auth counts failed logins per
 * real client; a caller of auth's own port cannot choose its address with x-forwarded-for (docs/adr/0035).
 */
describe('client address from the gateway to auth', () => {
  let bed: GatewayTestBed;
  let gateway: RunningService;
  const sessions: ClientHttp2Session[] = [];

  beforeAll(async () => {
    bed = await startGatewayTestBed({ backends: ['auth'] });
    gateway = await bed.startGateway({ instanceId: 'gw-address' });
  }, 90_000);
  afterAll(async () => {
    for (const session of sessions) session.close();
    await bed?.stop();
  });

  const open = (from: string, port: number) => {
    const session = sessionFrom(from, port);
    sessions.push(session);
    return session;
  };
  const wrongLogin = (session: ClientHttp2Session, email: string, headers: Record<string, string> = {}) =>
    postStatus(session, '/auth/login', { email, password: 'not the password' }, headers);

  it(
    'throttles the address that failed 30 logins through the gateway, not another client of the same gateway',
    { timeout: 60_000 },
    async () => {
      const [mallory, alice] = [open('127.0.0.2', gateway.http.port), open('127.0.0.3', gateway.http.port)];
      // 30 failures over many accounts reach the per-address limit (default 30 in 15 minutes).
      for (let i = 0; i < 30; i += 1) expect(await wrongLogin(mallory, `victim-${i}@example.test`)).toBe(401);

      expect(await wrongLogin(mallory, 'someone-else@example.test')).toBe(429);
      expect(await wrongLogin(alice, 'someone-else@example.test')).toBe(401);
    },
  );

  it('counts a caller of auth’s own port by its peer address, whatever x-forwarded-for it sends', { timeout: 60_000 }, async () => {
    const direct = open('127.0.0.4', bed.backends.get('auth')!.http.port);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i += 1)
      statuses.push(await wrongLogin(direct, `guess-${i}@example.test`, { 'x-forwarded-for': `198.51.100.${i}` }));
    expect(statuses.filter((status) => status === 401)).toHaveLength(30);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  });
});
