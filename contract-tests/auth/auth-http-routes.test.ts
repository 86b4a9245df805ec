import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../adapters/http/fastify-app.js';
import { registerAuthRoutes } from '../../adapters/http/auth/auth-routes.js';
import { FORWARDED_ADDRESS_HEADER, ForwardedAddressSigner } from '../../adapters/http/forwarded-address.js';
import { listenHttp } from '../../adapters/http/listen.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { createAuthHarness, inMemoryAuthRepositories, StrongPassword, type AuthHarness } from './auth-harness.js';

/** The auth client API over a real socket: refresh rotation, throttled logins, one answer for unknown and wrong. */
describe('auth HTTP routes: tokens and login throttling', () => {
  let h: AuthHarness;
  let app: FastifyInstance;
  let url: string;
  const limits = { perAccount: { max: 3, windowMs: 60_000 }, perAddress: { max: 6, windowMs: 60_000 } };
  const signer = new ForwardedAddressSigner('a forwarding key of the test, 32+ chars');

  beforeEach(async () => {
    h = await createAuthHarness(inMemoryAuthRepositories(), { loginThrottle: limits });
    app = createHttpApp({ logger: createLogger('auth-routes-test', 'silent') });
    registerAuthRoutes(app, h.service, { addressTrust: { trustedProxies: [], forwarded: signer } });
    url = (await listenHttp(app, { host: '127.0.0.1', port: 0 })).url;
  });
  afterEach(async () => {
    await app.close();
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    };
  };

  it('logs in with a refresh token and rotates it at /auth/refresh; a reused one is 401 and ends the session', async () => {
    const user = await h.registerUser();
    const login = await post('/auth/login', { email: user.email, password: StrongPassword });
    expect(login).toMatchObject({
      status: 200,
      body: { token_type: 'Bearer', refresh_token: expect.any(String), refresh_expires_at: expect.any(Number) },
    });

    const refreshed = await post('/auth/refresh', { refresh_token: login.body?.refresh_token });
    h.clock.advance(20_001); // past the grace for concurrent refreshes
    const reused = await post('/auth/refresh', { refresh_token: login.body?.refresh_token });
    const afterReuse = await post('/auth/refresh', { refresh_token: refreshed.body?.refresh_token });

    expect(refreshed).toMatchObject({ status: 200, body: { session_id: login.body?.session_id } });
    expect(refreshed.body?.refresh_token).not.toBe(login.body?.refresh_token);
    expect(reused.status).toBe(401);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body).toMatchObject({ type: 'urn:meshwork:problem:refresh_token_reused' });
    expect(afterReuse).toMatchObject({ status: 401, body: { type: 'urn:meshwork:problem:invalid_refresh_token' } });
    expect(await post('/auth/refresh', {})).toMatchObject({ status: 400 });
  });

  it('answers two concurrent refreshes of one token (two tabs) with two working pairs of the same session', async () => {
    const user = await h.registerUser();
    const login = await post('/auth/login', { email: user.email, password: StrongPassword });

    const tabs = await Promise.all([0, 1].map(() => post('/auth/refresh', { refresh_token: login.body?.refresh_token })));

    for (const tab of tabs) expect(tab).toMatchObject({ status: 200, body: { session_id: login.body?.session_id } });
    for (const tab of tabs) expect((await post('/auth/refresh', { refresh_token: tab.body?.refresh_token })).status).toBe(200);
  });

  it('refuses a registration with a bidi override, a zero-width character or a look-alike in the email with 400 problem+json', async () => {
    // The last: an all-Cyrillic аррӏе posing as apple.com.
    const emails = [
      'ada\u202Egro.elpmaxe@example.org',
      'a\u200Bda@example.org',
      'ada@ex\u0430mple.org',
      'ada@\u0430\u0440\u0440\u04CF\u0435.com',
    ];
    for (const email of emails) {
      const refused = await post('/auth/register', { email, password: StrongPassword, name: 'Ada' });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ type: 'urn:meshwork:problem:invalid_input' });
    }
  });

  it('answers an unknown email and a wrong password with the same problem', async () => {
    const user = await h.registerUser();
    const wrong = await post('/auth/login', { email: user.email, password: 'not the password' });
    const unknown = await post('/auth/login', { email: 'nobody@example.test', password: 'not the password' });

    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const { instance: _a, ...wrongBody } = wrong.body ?? {};
    const { instance: _b, ...unknownBody } = unknown.body ?? {};
    expect(unknownBody).toEqual(wrongBody);
  });

  it('answers 429 problem+json with Retry-After once an account had too many failures', async () => {
    const user = await h.registerUser();
    for (let i = 0; i < 3; i += 1)
      expect((await post('/auth/login', { email: user.email, password: 'not the password' })).status).toBe(401);

    const throttled = await post('/auth/login', { email: user.email, password: StrongPassword });

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(throttled.headers.get('content-type')).toContain('application/problem+json');
    expect(throttled.body).toMatchObject({ status: 429, type: 'urn:meshwork:problem:too_many_login_attempts' });
  });

  it('counts per client address as the gateway signs it', async () => {
    const from = (address: string) => ({ [FORWARDED_ADDRESS_HEADER]: signer.sign(address) });
    for (let i = 0; i < 6; i += 1) {
      await post('/auth/login', { email: `guess${i}@example.test`, password: 'not the password' }, from('203.0.113.5'));
    }
    const user = await h.registerUser();

    expect((await post('/auth/login', { email: user.email, password: StrongPassword }, from('203.0.113.5'))).status).toBe(429);
    expect((await post('/auth/login', { email: user.email, password: StrongPassword }, from('203.0.113.6'))).status).toBe(200);
  });

  it('counts a loopback caller by its own address, whatever x-forwarded-for it sends', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const forged = { 'x-forwarded-for': `198.51.100.${i}` };
      statuses.push((await post('/auth/login', { email: `guess${i}@example.test`, password: 'not the password' }, forged)).status);
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(6);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
  });
});
