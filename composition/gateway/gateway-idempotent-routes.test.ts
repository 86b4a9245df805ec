import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent } from '../../contract-tests/support/http2-client.js';
import { RouteCatalogue } from '../../contract-tests/security/route-catalogue.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import { UNTHROTTLED_GATEWAY } from '../../test-support/mesh-process.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../../test-support/postgres-fixture.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import type { RunningMesh } from '../launcher.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Answer {
  readonly status: number;
  readonly key: string | undefined;
  readonly location: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

interface Bed {
  readonly send: (method: Method, path: string, user: TestUser, body?: unknown, key?: string) => Promise<Answer>;
  readonly admin: TestUser;
  readonly aUser: (name: string) => Promise<TestUser>;
  readonly aProject: (user: TestUser) => Promise<string>;
  readonly aSimulation: (user: TestUser, projectId: string) => Promise<string>;
}

/**
 * Sends a write twice with one key, and whatever else the route's check needs: the second answer must be the
 * first one (status, body, location) and the write made once, also when another write came in between.
 */
type RouteCheck = (bed: Bed, key: string) => Promise<void>;

const ADMIN_EMAIL = 'root@idempotent-routes.test';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const sameAnswer = (again: Answer, first: Answer, key: string) => {
  expect(first.key).toBe(key);
  expect(first.status).toBeLessThan(300);
  expect(again).toEqual(first);
};

/** Every write of the gateway that the service behind it remembers by key (docs/adr/0058, 0064). */
const REMEMBERED: Readonly<Record<string, RouteCheck>> = {
  'POST /projects': async ({ send, aUser }, key) => {
    const ada = await aUser('ada');
    const first = await send('POST', '/projects', ada, { name: 'Once' }, key);
    const again = await send('POST', '/projects', ada, { name: 'Once' }, key);
    sameAnswer(again, first, key);
    expect((await send('GET', '/projects?page_size=100', ada)).body.projects).toHaveLength(1);
  },
  'PATCH /projects/:id': async ({ send, aUser, aProject }, key) => {
    const ada = await aUser('ada');
    const id = await aProject(ada);
    const first = await send('PATCH', `/projects/${id}`, ada, { description: 'first' }, key);
    await send('PATCH', `/projects/${id}`, ada, { description: 'second' });
    const again = await send('PATCH', `/projects/${id}`, ada, { description: 'first' }, key);
    sameAnswer(again, first, key);
    expect((await send('GET', `/projects/${id}`, ada)).body.description).toBe('second');
  },
  'DELETE /projects/:id': async ({ send, aUser, aProject }, key) => {
    const ada = await aUser('ada');
    const id = await aProject(ada);
    const first = await send('DELETE', `/projects/${id}`, ada, undefined, key);
    const again = await send('DELETE', `/projects/${id}`, ada, undefined, key);
    sameAnswer(again, first, key);
  },
  'POST /projects/:id/share': async ({ send, aUser, aProject }, key) => {
    const [ada, bob] = [await aUser('ada'), await aUser('bob')];
    const id = await aProject(ada);
    const first = await send('POST', `/projects/${id}/share`, ada, { target_user_id: bob.userId, role: 'viewer' }, key);
    await send('POST', `/projects/${id}/share`, ada, { target_user_id: bob.userId, role: 'editor' });
    const again = await send('POST', `/projects/${id}/share`, ada, { target_user_id: bob.userId, role: 'viewer' }, key);
    sameAnswer(again, first, key);
    const permissions = (await send('GET', `/projects/${id}/permissions`, ada)).body;
    expect(JSON.stringify(permissions)).toContain('editor');
    expect(JSON.stringify(permissions)).not.toContain('viewer');
  },
  'POST /projects/:id/collaboration': async ({ send, aUser, aProject }, key) => {
    const ada = await aUser('ada');
    const id = await aProject(ada);
    const first = await send('POST', `/projects/${id}/collaboration`, ada, {}, key);
    const again = await send('POST', `/projects/${id}/collaboration`, ada, {}, key);
    sameAnswer(again, first, key);
  },
  'DELETE /projects/:id/collaboration': async ({ send, aUser, aProject }, key) => {
    const ada = await aUser('ada');
    const id = await aProject(ada);
    const joined = await send('POST', `/projects/${id}/collaboration`, ada, {});
    const path = `/projects/${id}/collaboration?collaboration_session_id=${encodeURIComponent(joined.body.collaboration_session_id)}`;
    const first = await send('DELETE', path, ada, undefined, key);
    const again = await send('DELETE', path, ada, undefined, key);
    sameAnswer(again, first, key);
  },
  'POST /projects/:id/reports': async ({ send, aUser, aProject }, key) => {
    const ada = await aUser('ada');
    const id = await aProject(ada);
    const first = await send('POST', `/projects/${id}/reports`, ada, {}, key);
    const again = await send('POST', `/projects/${id}/reports`, ada, {}, key);
    sameAnswer(again, first, key);
    expect(first.location).toBe(`/exports/${first.body.export.id}`);
  },
  'POST /simulations': async ({ send, aUser, aProject }, key) => {
    const ada = await aUser('ada');
    const body = { project_id: await aProject(ada), duration_seconds: 600 };
    const first = await send('POST', '/simulations', ada, body, key);
    const again = await send('POST', '/simulations', ada, body, key);
    await send('POST', `/simulations/${first.body.simulation_id}/stop`, ada, {});
    sameAnswer(again, first, key);
  },
  'POST /simulations/validate': async ({ send, aUser }, key) => {
    const ada = await aUser('ada');
    const body = { configuration: { nodes: '3' }, duration_seconds: 60 };
    const first = await send('POST', '/simulations/validate', ada, body, key);
    const again = await send('POST', '/simulations/validate', ada, body, key);
    sameAnswer(again, first, key);
  },
  'POST /simulations/:id/stop': async ({ send, aUser, aProject, aSimulation }, key) => {
    const ada = await aUser('ada');
    const simulationId = await aSimulation(ada, await aProject(ada));
    const first = await send('POST', `/simulations/${simulationId}/stop`, ada, {}, key);
    const again = await send('POST', `/simulations/${simulationId}/stop`, ada, {}, key);
    sameAnswer(again, first, key);
  },
  'POST /simulations/:id/exports': async ({ send, aUser, aProject, aSimulation }, key) => {
    const ada = await aUser('ada');
    const simulationId = await aSimulation(ada, await aProject(ada));
    const first = await send('POST', `/simulations/${simulationId}/exports`, ada, { format: 'csv' }, key);
    const again = await send('POST', `/simulations/${simulationId}/exports`, ada, { format: 'csv' }, key);
    await send('POST', `/simulations/${simulationId}/stop`, ada, {});
    sameAnswer(again, first, key);
    expect(first.location).toBe(`/exports/${first.body.export.id}`);
  },
  'PUT /admin/users/:id/roles': async ({ send, admin, aUser }, key) => {
    const carol = await aUser('carol');
    const first = await send('PUT', `/admin/users/${carol.userId}/roles`, admin, { roles: ['user', 'admin'] }, key);
    await send('PUT', `/admin/users/${carol.userId}/roles`, admin, { roles: ['user'] });
    const again = await send('PUT', `/admin/users/${carol.userId}/roles`, admin, { roles: ['user', 'admin'] }, key);
    sameAnswer(again, first, key);
    // The repeat promoted nobody again: Carol can no longer reach administration.
    expect((await send('GET', '/admin/users', carol)).status).toBe(403);
  },
  'POST /admin/users/:id/deactivate': async ({ send, admin, aUser }, key) => {
    const dave = await aUser('dave');
    const first = await send('POST', `/admin/users/${dave.userId}/deactivate`, admin, undefined, key);
    const again = await send('POST', `/admin/users/${dave.userId}/deactivate`, admin, undefined, key);
    sameAnswer(again, first, key);
    expect(first.body.sessions_revoked).toBe(1);
  },
  'POST /admin/users/:id/reactivate': async ({ send, admin, aUser }, key) => {
    const erin = await aUser('erin');
    await send('POST', `/admin/users/${erin.userId}/deactivate`, admin);
    const first = await send('POST', `/admin/users/${erin.userId}/reactivate`, admin, undefined, key);
    await send('POST', `/admin/users/${erin.userId}/deactivate`, admin);
    const again = await send('POST', `/admin/users/${erin.userId}/reactivate`, admin, undefined, key);
    sameAnswer(again, first, key);
    const users = (await send('GET', '/admin/users?page_size=100', admin)).body.users as { user_id: string; is_active: boolean }[];
    expect(users.find((user) => user.user_id === erin.userId)?.is_active).toBe(false);
  },
  'POST /admin/announcements': async ({ send, admin }, key) => {
    const body = { kind: 'info', message: `Once only ${key}` };
    const first = await send('POST', '/admin/announcements', admin, body, key);
    const again = await send('POST', '/admin/announcements', admin, body, key);
    sameAnswer(again, first, key);
    const current = (await send('GET', '/announcements', admin)).body.announcements as { message: string }[];
    expect(current.filter((announcement) => announcement.message === body.message)).toHaveLength(1);
  },
};

/**
 * The account routes auth serves on its own port (docs/adr/0064): their requests carry passwords or refresh
 * tokens and their answers tokens, which are never stored; each is safe to repeat by itself. The key is
 * answered all the same.
 */
const SAFE_BY_THEMSELVES: Readonly<Record<string, RouteCheck>> = {
  'POST /auth/register': async ({ send }, key) => {
    const body = { email: `once-${key}@example.test`, password: 'correct horse battery', name: 'Once' };
    const anonymous = { token: '' } as TestUser;
    const first = await send('POST', '/auth/register', anonymous, body, key);
    const again = await send('POST', '/auth/register', anonymous, body, key);
    expect([first.status, first.key, again.status, again.body.type]).toEqual([201, key, 409, 'urn:meshwork:problem:email_taken']);
  },
  'POST /auth/login': async ({ send, aUser }, key) => {
    const ada = await aUser('ada');
    const body = { email: ada.email, password: 'correct horse battery' };
    const first = await send('POST', '/auth/login', { token: '' } as TestUser, body, key);
    expect([first.status, first.key, first.body.user.id]).toEqual([200, key, ada.userId]);
  },
  'POST /auth/refresh': async ({ send, aUser }, key) => {
    const ada = await aUser('ada');
    const login = await send('POST', '/auth/login', { token: '' } as TestUser, { email: ada.email, password: 'correct horse battery' });
    const body = { refresh_token: login.body.refresh_token };
    const first = await send('POST', '/auth/refresh', { token: '' } as TestUser, body, key);
    const again = await send('POST', '/auth/refresh', { token: '' } as TestUser, body, key);
    // A spent refresh token presented again within the reuse grace renews the same session (docs/adr/0035).
    expect([first.status, first.key, again.status, again.body.session_id]).toEqual([200, key, 200, first.body.session_id]);
  },
  'POST /auth/logout': async ({ send, aUser }, key) => {
    const ada = await aUser('ada');
    const first = await send('POST', '/auth/logout', ada, undefined, key);
    const again = await send('POST', '/auth/logout', ada, undefined, key);
    expect([first.status, first.key, again.status]).toEqual([204, key, 401]);
  },
  'PATCH /auth/profile': async ({ send, aUser }, key) => {
    const ada = await aUser('ada');
    const first = await send('PATCH', '/auth/profile', ada, { name: 'Ada L.' }, key);
    const again = await send('PATCH', '/auth/profile', ada, { name: 'Ada L.' }, key);
    expect([first.status, first.key, again.status, again.body.user.name]).toEqual([200, key, 200, 'Ada L.']);
  },
};

/**
 * Every POST, PUT, PATCH and DELETE route of the gateway, found by a route catalogue rather than a list
 * kept by hand: each answers with its Idempotency-Key, and a repeat with the key is answered as the
 * first attempt was and makes nothing twice, in memory and on PostgreSQL (docs/adr/0058, 0064).
 */
describe.each(['memory', 'postgres'] as const)('every write route of the gateway with an Idempotency-Key (%s)', (storage) => {
  const http = h2cAgent();
  let database: PostgresDatabase | undefined;
  let mesh: RunningMesh;
  let base: string;
  let writeRoutes: string[];
  let bed: Bed;

  beforeAll(async () => {
    if (storage === 'postgres') database = await createThrowawayDatabase('idempotent_routes');
    const catalogue = RouteCatalogue.listen();
    try {
      mesh = await startTestMesh({
        ...UNTHROTTLED_GATEWAY,
        AUTH_ADMIN_EMAILS: ADMIN_EMAIL,
        ...(database && { MESH_STORAGE: 'sql', DATABASE_URL: database.url }),
      });
    } finally {
      catalogue.stop();
    }
    const port = mesh.services.get('api-gateway')!.http.port;
    base = `http://127.0.0.1:${port}`;
    writeRoutes = catalogue
      .routesOnPort(port)
      .filter((route) => WRITES.has(route.method))
      .map((route) => `${route.method} ${route.url}`);

    const send: Bed['send'] = async (method, path, user, body, key) => {
      const headers: Record<string, string> = {};
      if (user.token) headers.authorization = `Bearer ${user.token}`;
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
        location: answer.headers.location as string | undefined,
        body: text === '' ? undefined : JSON.parse(text),
      };
    };
    const newUser = (name: string) => aUser(http, base, name);
    bed = {
      send,
      admin: await aUser(http, base, 'root', ADMIN_EMAIL),
      aUser: newUser,
      aProject: async (user) => {
        const created = await send('POST', '/projects', user, { name: `Project ${randomUUID().slice(0, 8)}` });
        expect(created.status).toBe(201);
        return created.body.project_id as string;
      },
      aSimulation: async (user, projectId) => {
        const started = await send('POST', '/simulations', user, { project_id: projectId, duration_seconds: 600 });
        expect(started.status).toBe(201);
        return started.body.simulation_id as string;
      },
    };
  }, 120_000);

  afterAll(async () => {
    await http.close();
    await mesh?.stop();
    await database?.drop();
  }, 60_000);

  it('has a check for every write route the gateway serves, and no other', () => {
    expect([...writeRoutes].sort()).toEqual([...Object.keys(REMEMBERED), ...Object.keys(SAFE_BY_THEMSELVES)].sort());
  });

  it.each(Object.keys(REMEMBERED))('%s: a repeat with the key gets the first answer and makes nothing twice', async (route) => {
    await REMEMBERED[route]!(bed, `key-${randomUUID()}`);
  });

  it.each(Object.keys(SAFE_BY_THEMSELVES))('%s: answers the key; a repeat makes nothing twice by itself', async (route) => {
    await SAFE_BY_THEMSELVES[route]!(bed, `key-${randomUUID()}`);
  });
});
