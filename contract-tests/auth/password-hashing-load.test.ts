import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../adapters/http/fastify-app.js';
import { registerAuthRoutes } from '../../adapters/http/auth/auth-routes.js';
import { FORWARDED_ADDRESS_HEADER, ForwardedAddressSigner } from '../../adapters/http/forwarded-address.js';
import { listenHttp } from '../../adapters/http/listen.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { createAuthHarness, inMemoryAuthRepositories, StrongPassword } from './auth-harness.js';

/** The gateway's deadline for an auth call: a login answered later is a 503 to the client. */
const LoginDeadlineMs = 2_000;

/**
 * Registrations cost a scrypt each. A burst from one address must not starve a login from another
 * (docs/adr/0035): registrations are throttled per address, password work runs on a bounded pool
 * whose full queue answers at once, and logins are served before registrations.
 */
describe('password hashing under a burst of registrations', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('keeps a concurrent login within its deadline and refuses the excess quickly', { timeout: 60_000 }, async () => {
    const signer = new ForwardedAddressSigner('a forwarding key of the test, 32+ chars');
    const h = await createAuthHarness(
      inMemoryAuthRepositories(),
      { registrationThrottle: { max: 20, windowMs: 15 * 60_000 } },
      // The production cost and the service's default bounds.
      { passwordHashCost: 2 ** 15, passwordHashing: { concurrency: 2, queue: 16 } },
    );
    const user = await h.registerUser();
    app = createHttpApp({ logger: createLogger('hashing-load-test', 'silent') });
    registerAuthRoutes(app, h.service, { addressTrust: { trustedProxies: [], forwarded: signer } });
    const { url } = await listenHttp(app, { host: '127.0.0.1', port: 0 });

    const timedPost = async (path: string, body: unknown, address: string) => {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [FORWARDED_ADDRESS_HEADER]: signer.sign(address) },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get('retry-after') };
    };

    // The same login alone first: on a shared machine the deadline is judged against what one login costs here.
    const alone = await timedPost('/auth/login', { email: user.email, password: StrongPassword }, '203.0.113.9');
    const burst = Array.from({ length: 60 }, (_, i) =>
      timedPost('/auth/register', { email: `burst-${i}@example.test`, password: StrongPassword, name: 'Burst' }, '198.51.100.7'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const login = await timedPost('/auth/login', { email: user.email, password: StrongPassword }, '203.0.113.9');
    const answers = await Promise.all(burst);

    const refused = answers.filter((answer) => answer.status === 429 || answer.status === 503);
    const created = answers.filter((answer) => answer.status === 201);
    const refusalMs = refused.map((answer) => answer.ms).sort((a, b) => a - b);
    const medianRefusal = refusalMs[Math.floor(refusalMs.length / 2)] ?? Number.NaN;
    const createdMs = Math.max(...created.map((answer) => answer.ms));
    console.log(
      `60 registrations from one address: ${created.length} created (last after ${createdMs.toFixed(0)} ms), ${refused.length} refused ` +
        `(median ${medianRefusal.toFixed(0)} ms, slowest ${refusalMs.at(-1)?.toFixed(0)} ms); a login alone ${alone.ms.toFixed(0)} ms, ` +
        `a concurrent login from another address: ${login.status} in ${login.ms.toFixed(0)} ms (gateway deadline ${LoginDeadlineMs} ms)`,
    );
    expect(alone.status).toBe(200);
    expect(login.status).toBe(200);
    // Served before the registrations: it waits for the two hashes at work at most, not for the burst.
    expect(login.ms).toBeLessThan(Math.max(LoginDeadlineMs, 4 * alone.ms));
    expect(login.ms).toBeLessThan(createdMs / 2);
    expect(created.length).toBeLessThanOrEqual(20);
    expect(refused.length + created.length).toBe(60);
    expect(refused.every((answer) => answer.retryAfter !== null)).toBe(true);
    // A refusal costs no password work: answered while the admitted registrations are still hashing.
    expect(medianRefusal).toBeLessThan(createdMs / 2);
  });
});
