import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent } from '../../contract-tests/support/http2-client.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import type { RunningMesh } from '../launcher.js';

interface Answer {
  readonly status: number;
  readonly key: string | undefined;
  readonly contentType: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** The gateway's Idempotency-Key on writes (docs/adr/0058), in front of the real services. */
describe('Idempotency-Key on the gateway', () => {
  let mesh: RunningMesh;
  let base: string;
  let ada: TestUser;
  let bob: TestUser;
  const http = h2cAgent();

  const send = async (method: 'GET' | 'POST' | 'PATCH', path: string, user: TestUser, body?: unknown, key?: string): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${user.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key !== undefined) headers['idempotency-key'] = key;
    const answer = await request(`${base}${path}`, {
      dispatcher: http,
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.body.text();
    return {
      status: answer.statusCode,
      key: answer.headers['idempotency-key'] as string | undefined,
      contentType: answer.headers['content-type'] as string | undefined,
      body: text === '' ? undefined : JSON.parse(text),
    };
  };
  const projectsNamed = async (user: TestUser, name: string): Promise<number> => {
    const listed = await send('GET', '/projects?page_size=100', user);
    return (listed.body.projects as { name: string }[]).filter((project) => project.name === name).length;
  };

  beforeAll(async () => {
    mesh = await startTestMesh();
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
    ada = await aUser(http, base, 'ada-idempotency');
    bob = await aUser(http, base, 'bob-idempotency');
  }, 90_000);
  afterAll(async () => {
    await http.close();
    await mesh?.stop();
  }, 60_000);

  it('answers a repeated write with the first answer and makes it once', async () => {
    const first = await send('POST', '/projects', ada, { name: 'Shop' }, 'order-7f3a');
    const again = await send('POST', '/projects', ada, { name: 'Shop' }, 'order-7f3a');

    expect(first).toMatchObject({ status: 201, key: 'order-7f3a' });
    expect(again).toEqual(first);
    expect(await projectsNamed(ada, 'Shop')).toBe(1);
  });

  it('refuses the same key with another body: 409 idempotency_key_reused', async () => {
    await send('POST', '/projects', ada, { name: 'Blog' }, 'reused-key');

    const other = await send('POST', '/projects', ada, { name: 'Wiki' }, 'reused-key');

    expect(other.status).toBe(409);
    expect(other.contentType).toContain('application/problem+json');
    expect(other.body).toMatchObject({ status: 409, type: expect.stringContaining('idempotency_key_reused') });
    expect(await projectsNamed(ada, 'Wiki')).toBe(0);
  });

  it('keeps the keys of two users apart', async () => {
    const adas = await send('POST', '/projects', ada, { name: 'Same key' }, 'shared-key');
    const bobs = await send('POST', '/projects', bob, { name: 'Same key' }, 'shared-key');

    expect([adas.status, bobs.status]).toEqual([201, 201]);
    expect(bobs.body.project_id).not.toBe(adas.body.project_id);
  });

  it('refuses a key that is not 1 to 255 visible ASCII characters with a 400 problem', async () => {
    for (const key of ['has spaces', 'x'.repeat(256), 'é-accent']) {
      const answer = await send('POST', '/projects', ada, { name: 'Never' }, key).catch(() => undefined);
      // undici refuses to send a header value it cannot encode; the others reach the gateway.
      if (answer === undefined) continue;
      expect(answer.status).toBe(400);
      expect(answer.contentType).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ type: expect.stringContaining('invalid_idempotency_key') });
      expect(answer.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringContaining('visible ASCII') }]);
    }
    expect(await projectsNamed(ada, 'Never')).toBe(0);
  });

  it('makes a key for a write sent without one and says which, and none for a read', async () => {
    const created = await send('POST', '/projects', ada, { name: 'Keyless' });
    const read = await send('GET', `/projects/${created.body.project_id}`, ada);
    const patched = await send('PATCH', `/projects/${created.body.project_id}`, ada, { description: 'kept once' }, created.key);

    expect(created.status).toBe(201);
    expect(created.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(read.key).toBeUndefined();
    // The generated key is the client's to reuse; on another request it is refused, not confused.
    expect(patched.status).toBe(409);
  });
});
