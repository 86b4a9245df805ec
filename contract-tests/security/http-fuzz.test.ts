import fc from 'fast-check';
import WebSocket from 'ws';
import { CloseCodes } from '../../adapters/websocket/close-codes.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { UNTHROTTLED_GATEWAY } from '../../test-support/mesh-process.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { connectSocket } from '../gateway/ws-client.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';
import { probeOf, type RouteProbe } from './http-probe.js';
import { RouteCatalogue, type CataloguedRoute } from './route-catalogue.js';
import { bodyWithMistake, clientMistakes, queryWithMistake, type ClientMistake } from './schema-samples.js';

const STARTUP_TIMEOUT_MS = 120_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Routes that change the victim's project, and the methods they take. */
const WRITES = [
  ['PATCH', '/projects/{id}'],
  ['POST', '/projects/{id}/share'],
  ['POST', '/projects/{id}/collaboration'],
  ['POST', '/projects'],
  ['POST', '/simulations'],
  ['POST', '/simulations/validate'],
  ['POST', '/projects/{id}/reports'],
  ['PATCH', '/auth/profile'],
  ['POST', '/auth/register'],
  ['POST', '/auth/login'],
] as const;

/** Bodies a client can get wrong: any JSON, the right shape with wrong or oversized values, or not JSON at all. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc
    .record(
      {
        name: fc.oneof(fc.string(), fc.string({ minLength: 190, maxLength: 400 }), fc.integer(), fc.constant(null)),
        role: fc.oneof(fc.constantFrom('viewer', 'editor', 'owner', 'admin', ''), fc.jsonValue()),
        target_email: fc.oneof(fc.emailAddress(), fc.string()),
        configuration: fc.oneof(fc.dictionary(fc.string(), fc.string(), { maxKeys: 300 }), fc.jsonValue()),
        project_id: fc.oneof(fc.string(), fc.constant('../../etc/passwd'), fc.constant('${id}')),
        duration_seconds: fc.oneof(fc.integer(), fc.double(), fc.constant(1e308)),
        is_public: fc.jsonValue(),
        __proto__: fc.jsonValue(),
        constructor: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 2_000 }),
  fc.constant('{"name": "a"'.repeat(3)),
  fc.constant('[]'.repeat(50_000)),
);

const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ),
    'x-request-id': fc.oneof(fc.string({ maxLength: 300 }), fc.constant('a'.repeat(5_000))),
    // Rarely: a foreign origin is refused before anything else, which would hide the rest.
    origin: fc.oneof(
      { arbitrary: fc.constant(''), weight: 7 },
      { arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'), weight: 1 },
    ),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
  },
  { requiredKeys: ['content-type'] },
);

/** Header values undici itself refuses to send are not a test of the server. */
const sendable = (value: string) => value !== '' && /^[\t\x20-\x7e]*$/.test(value);

describe('generated bodies and headers thrown at the gateway client API', () => {
  const http = h2cAgent();
  const catalogue = RouteCatalogue.listen();
  let mesh: RunningMesh;
  let base: string;
  let ada: TestUser;
  let projectId: string;

  beforeAll(async () => {
    for (const name of [
      'GATEWAY_RATE_PER_ADDRESS',
      'GATEWAY_RATE_BURST_PER_ADDRESS',
      'GATEWAY_RATE_PER_USER',
      'GATEWAY_RATE_BURST_PER_USER',
    ]) {
      vi.stubEnv(name, '100000');
    }
    mesh = await startTestMesh({ ...UNTHROTTLED_GATEWAY });
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')?.http.port}`;
    ada = await aUser(http, base, 'ada');
    projectId = (await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Fuzzed' } })).body.project_id;
    catalogue.stop();
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    catalogue.stop();
    vi.unstubAllEnvs();
    await http.close();
    await mesh?.stop();
  }, STARTUP_TIMEOUT_MS);

  const projectState = async () => {
    const project = await jsonRequest(http, 'GET', `${base}/projects/${projectId}`, { token: ada.token });
    const permissions = await jsonRequest(http, 'GET', `${base}/projects/${projectId}/permissions`, { token: ada.token });
    const listed = await jsonRequest(http, 'GET', `${base}/projects?page_size=100`, { token: ada.token });
    return { project: project.body, permissions: permissions.body, count: listed.body.total_count };
  };

  it('answers every generated request without a 5xx, and a refused one changes nothing', async () => {
    let cases = 0;
    const statuses = new Map<number, number>();
    let state = await projectState();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRITES), body, headers, fc.boolean(), async ([method, path], text, extra, withToken) => {
        cases += 1;
        const sent: Record<string, string> = Object.fromEntries(Object.entries(extra).filter(([, value]) => sendable(value)));
        if (withToken) sent.authorization = `Bearer ${ada.token}`;
        const answer = await request(`${base}${path.replace('{id}', projectId)}`, { dispatcher: http, method, headers: sent, body: text });
        const answered = await answer.body.text();
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
        expect(answer.statusCode, `${method} ${path} ${text.slice(0, 200)} -> ${answered.slice(0, 300)}`).toBeLessThan(500);
        const now = await projectState();
        if (answer.statusCode >= 400) expect(now, `${method} ${path} refused with ${answer.statusCode} but changed data`).toEqual(state);
        state = now;
      }),
      { numRuns: RUNS },
    );
    const spread = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([code, count]) => `${code}x${count}`)
      .join(' ');
    console.log(
      `[http-fuzz] ${cases} generated requests (bodies, content types, headers), 0 answered 5xx, 0 refused ones changed data; statuses ${spread}`,
    );
  });

  it('answers client mistakes (control characters, out-of-range numbers, deep nesting) on every route of every port with a 4xx', async () => {
    const simulation = await jsonRequest(http, 'POST', `${base}/simulations`, {
      token: ada.token,
      body: { project_id: projectId, duration_seconds: 600 },
    });
    const simulationId: string = simulation.body.simulation_id;
    const exported = await jsonRequest(http, 'POST', `${base}/simulations/${simulationId}/exports`, { token: ada.token, body: {} });
    const templates = await jsonRequest(http, 'GET', `${base}/templates`, { token: ada.token });
    const bySegment: Record<string, string> = {
      projects: projectId,
      simulations: simulationId,
      exports: exported.body.export.id,
      templates: templates.body.templates[0].template_id,
      // Administration routes (Ada is no administrator: whatever passes validation is refused by auth).
      users: ada.userId,
    };
    const bodyIds = { project_id: projectId, simulation_id: simulationId };
    const routes: { service: string; base: string; route: CataloguedRoute }[] = [];
    for (const [service, running] of mesh.services) {
      const portBase = `http://127.0.0.1:${running.http.port}`;
      routes.push(...catalogue.routesOnPort(running.http.port).map((route) => ({ service, base: portBase, route })));
    }
    // A forwarding route (the gateway's auth routes) declares no body: the route it forwards to does.
    const bodySchemaOf = (route: CataloguedRoute): unknown =>
      (route.schema as { body?: unknown } | undefined)?.body ??
      routes
        .map((entry) => entry.route)
        .find((other) => other.method === route.method && other.url === route.url && (other.schema as { body?: unknown } | undefined)?.body)
        ?.schema?.body;
    // Logging out takes no input but the token, and would end the session every other case needs.
    const probes = routes
      .filter(({ route }) => route.url !== '/auth/logout')
      .map(({ service, base: portBase, route }) => ({
        base: portBase,
        route,
        probe: probeOf(service, route, (segment) => bySegment[segment], bodyIds, new Set(), bodySchemaOf(route)),
      }));

    let cases = 0;
    const statuses = new Map<number, number>();
    const byKind = new Map<ClientMistake['kind'], number>();
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...probes),
        clientMistakes,
        fc.constantFrom('body', 'query', 'path'),
        fc.nat(),
        async (target, mistake, place, pick) => {
          cases += 1;
          byKind.set(mistake.kind, (byKind.get(mistake.kind) ?? 0) + 1);
          const { request: sent, where } = mistakenRequest(target.probe, target.route, bodySchemaOf(target.route), mistake, place, pick);
          const answer = await request(`${target.base}${sent.path}`, {
            dispatcher: http,
            method: target.probe.method as 'GET',
            headers: { authorization: `Bearer ${ada.token}`, ...(sent.body === undefined ? {} : { 'content-type': 'application/json' }) },
            body: sent.body,
          });
          const answered = await answer.body.text();
          statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
          if (answer.statusCode >= 500) {
            failures.push(
              `${target.probe.service} ${target.probe.method} ${target.route.url} (${mistake.kind} in ${where}) -> ${answer.statusCode} ${answered.slice(0, 200)}`,
            );
          }
          expect(answer.statusCode, failures.at(-1)).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS * 3 },
    );
    const spread = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([code, count]) => `${code}x${count}`)
      .join(' ');
    const kinds = [...byKind].map(([kind, count]) => `${kind}x${count}`).join(' ');
    console.log(
      `[http-fuzz] ${cases} client mistakes (${kinds}) on ${probes.length} routes of ${mesh.services.size} ports: ${failures.length} answered 5xx; statuses ${spread}`,
    );
  });

  it('keeps serving after generated WebSocket frames: a bad frame closes only its own socket, never with 1011', async () => {
    const frame = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc
        .record({ type: fc.constantFrom('ping', 'auth', 'subscribe', '__proto__', ''), token: fc.string() }, { requiredKeys: [] })
        .map((value) => JSON.stringify(value)),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      fc.constant('x'.repeat(20_000)),
    );
    const url = base.replace('http://', 'ws://');
    const closes = new Map<number, number>();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/events', '/simulation/stream?simulation_id=none'),
        fc.boolean(),
        fc.array(frame, { minLength: 1, maxLength: 4 }),
        async (path, bearer, frames) => {
          cases += 1;
          const socket = connectSocket(`${url}${path}`, bearer ? ['bearer', ada.token] : undefined);
          await socket.opened;
          for (const data of frames) if (socket.ws.readyState === WebSocket.OPEN) socket.ws.send(data);
          const closed = await Promise.race([
            socket.closed,
            new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300)),
          ]);
          await socket.close();
          const code = closed?.code ?? 0;
          closes.set(code, (closes.get(code) ?? 0) + 1);
          expect([CloseCodes.internal, 1006], `${path} ${JSON.stringify(frames).slice(0, 300)}`).not.toContain(code);
        },
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    const health = await jsonRequest(http, 'GET', `${base}/health`);
    const spread = [...closes].map(([code, count]) => `${code === 0 ? 'open' : code}x${count}`).join(' ');
    console.log(
      `[ws-fuzz] ${cases} sockets sent generated frames: 0 closed with 1011/1006, gateway health ${health.status}; close codes ${spread}`,
    );
    expect(health.status).toBe(200);
  });
});

/** Routes whose success ends what the rest of the run needs: their mistake goes where it is always refused. */
const destructive = (probe: RouteProbe): boolean => probe.method === 'DELETE' || probe.route.endsWith('/stop');

/**
 * The probe's valid request with `mistake` put in its body, query or path id. A place the route
 * does not have (a GET has no body) falls back to one it has; a destructive route takes it in its
 * path id, or as a control character in its body, so that it is refused whatever the schema.
 */
const mistakenRequest = (
  probe: RouteProbe,
  route: CataloguedRoute,
  bodySchema: unknown,
  mistake: ClientMistake,
  place: 'body' | 'query' | 'path',
  pick: number,
): { request: { path: string; body: string | undefined }; where: string } => {
  const [path = '', search = ''] = probe.path.split('?');
  const hasBody = ['POST', 'PATCH', 'PUT'].includes(probe.method);
  const hasId = route.url.includes('/:');
  const querySchema = (route.schema as { querystring?: unknown } | undefined)?.querystring;
  let where = destructive(probe) ? (hasId ? 'path' : 'body') : place;
  if (where === 'body' && !hasBody) where = hasId && querySchema === undefined ? 'path' : 'query';
  if (where === 'path' && !hasId) where = hasBody ? 'body' : 'query';
  const body = hasBody ? JSON.stringify(probe.body ?? {}) : undefined;
  switch (where) {
    case 'path': {
      const text =
        mistake.kind === 'control' ? mistake.text : mistake.kind === 'number' ? mistake.json : '['.repeat(Math.min(mistake.depth, 1_000));
      // Every route of the API has at most one path parameter.
      const mistaken = route.url.replace(/:\w+/, encodeURIComponent(text));
      return { request: { path: `${mistaken}${search ? `?${search}` : ''}`, body }, where };
    }
    case 'query':
      return { request: { path: `${path}${queryWithMistake(querySchema, mistake, pick)}`, body }, where };
    default: {
      const forced: ClientMistake = destructive(probe) && mistake.kind !== 'control' ? { kind: 'control', text: 'a\u0000b' } : mistake;
      return { request: { path: probe.path, body: bodyWithMistake(bodySchema, probe.body, forced, pick) }, where };
    }
  }
};
