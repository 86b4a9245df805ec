import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectServiceClient } from '../../adapters/grpc/generated/project.js';
import { SimulationServiceClient } from '../../adapters/grpc/generated/simulation.js';
import { aUser } from '../../test-support/gateway-users.js';
import { WebSocketPaths } from '../../adapters/websocket/web-socket-hub.js';
import type { ServiceName } from '../../composition/config.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';
import { probeOf, send, type RouteProbe } from './http-probe.js';
import { startMeshWithVictim, type MeshWithVictim } from './mesh-with-victim.js';
import { RouteCatalogue, type CataloguedRoute } from './route-catalogue.js';
import { DeniedTokenKinds, type DeniedTokenKind } from './token-kinds.js';
import { socketOutcome } from './socket-probe.js';

/** Routes anybody may call. Adding a route here is a security decision: say why in review. */
const PUBLIC_ROUTES = new Set([
  'GET /health',
  'POST /auth/register',
  'POST /auth/login',
  // Authenticated by the refresh token in its body, not a bearer token (docs/adr/0022).
  'POST /auth/refresh',
  // Prometheus scraping, like /health, on every HTTP port (docs/adr/0018: an edge proxy must not expose it).
  'GET /metrics',
  // The dashboard's static files (HTML, JS, CSS): no data; what they show comes from protected routes.
  'GET /',
  'GET /dashboard/*',
  // The API reference of the port, generated from its routes: no data (docs/adr/0049).
  'GET /openapi.json',
  'GET /docs',
]);

/** Accepted where the matrix would refuse, on purpose (none today; name each with its reason). */
const ACCEPTED_BY_DESIGN = new Set<string>([]);

/** What each denied kind must get: 401 for a token that proves nothing, 403 or 404 (hidden) for another user. */
const refusalsOf = (kind: DeniedTokenKind): readonly number[] => (kind === 'other_user' ? [403, 404] : [401]);

/**
 * Routes for administrators only (docs/adr/0054): refused with 403 to every other signed-in user,
 * the victim and another alike (auth decides, whatever the gateway checked); served to an administrator.
 */
const isAdminRoute = (probe: RouteProbe): boolean => probe.route.startsWith('/admin/');

/** The control calls that change or end the victim's things run last, in this order. */
const destructiveLast = (probe: RouteProbe): number =>
  probe.route === '/auth/logout' ? 3 : probe.method === 'DELETE' ? 2 : probe.route.endsWith('/stop') ? 1 : 0;

const STARTUP_TIMEOUT_MS = 120_000;
const WS_AUTH_TIMEOUT_MS = 500;

interface Outcome {
  readonly probe: string;
  readonly kind: DeniedTokenKind | 'valid';
  readonly status: number;
}

describe('the authorisation matrix: every HTTP route, WebSocket and token that must be refused', () => {
  const http = h2cAgent();
  const catalogue = RouteCatalogue.listen();
  let bed: MeshWithVictim;
  const probes: RouteProbe[] = [];
  const baseOf = new Map<string, string>();

  beforeAll(async () => {
    // Every call below comes from one address and three users: the limits must not answer first. The
    // mesh reads its configuration from what it is given, not from process.env (docs/adr/0028).
    const rates = ['GATEWAY_RATE_PER_ADDRESS', 'GATEWAY_RATE_BURST_PER_ADDRESS', 'GATEWAY_RATE_PER_USER', 'GATEWAY_RATE_BURST_PER_USER'];
    bed = await startMeshWithVictim(http, {
      ...Object.fromEntries(rates.map((name) => [name, '100000'])),
      GATEWAY_WS_AUTH_TIMEOUT_MS: String(WS_AUTH_TIMEOUT_MS),
    });
    catalogue.stop();
    const { projectId, simulationId, exportId, templateId } = bed.resources;
    // An administration route names a user nobody has: an administrator's control call changes nobody (404).
    const bySegment: Record<string, string> = {
      projects: projectId,
      simulations: simulationId,
      exports: exportId,
      templates: templateId,
      users: 'no-such-user',
    };
    const bodyIds = { project_id: projectId, simulation_id: simulationId, template_id: templateId };
    const routes: { service: string; route: CataloguedRoute }[] = [];
    const owned = new Set(['projects', 'simulations', 'exports', 'project_id', 'simulation_id']);
    for (const [service, running] of bed.mesh.services) {
      const base = `http://127.0.0.1:${running.http.port}`;
      baseOf.set(service, base);
      routes.push(...catalogue.routesOnPort(running.http.port).map((route) => ({ service, route })));
    }
    // A forwarding route (the gateway's auth routes) declares no body: take the schema of the route it forwards to.
    const bodySchemaOf = (method: string, url: string) =>
      routes
        .map(({ route }) => route)
        .find((route) => route.method === method && route.url === url && (route.schema as { body?: unknown } | undefined)?.body)?.schema
        ?.body;
    for (const { service, route } of routes) {
      probes.push(probeOf(service, route, (segment) => bySegment[segment], bodyIds, owned, bodySchemaOf(route.method, route.url)));
    }
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    catalogue.stop();
    await http.close();
    await bed?.mesh.stop();
  }, STARTUP_TIMEOUT_MS);

  const isPublic = (probe: RouteProbe) => PUBLIC_ROUTES.has(`${probe.method} ${probe.route}`);
  const label = (probe: RouteProbe) => `${probe.service} ${probe.method} ${probe.route}`;

  it('refuses every protected route to every token that must not pass, and changes nothing', async () => {
    const services = new Set(probes.map((probe) => probe.service));
    expect([...services].sort()).toEqual(['api-gateway', 'auth', 'project', 'simulation'] satisfies ServiceName[]);
    const before = await victimState();
    const outcomes: Outcome[] = [];
    for (const probe of probes.filter((p) => !isPublic(p))) {
      for (const kind of DeniedTokenKinds) {
        if (kind === 'other_user' && !probe.touchesVictim && !isAdminRoute(probe)) continue;
        const status = await send(http, baseOf.get(probe.service) ?? '', probe, await bed.authorization(kind));
        outcomes.push({ probe: label(probe), kind, status });
      }
      // The victim herself is no administrator.
      if (isAdminRoute(probe)) {
        const status = await send(http, baseOf.get(probe.service) ?? '', probe, await bed.authorization('valid'));
        outcomes.push({ probe: label(probe), kind: 'valid', status });
      }
    }
    const byDesign = outcomes.filter((outcome) => ACCEPTED_BY_DESIGN.has(`${outcome.probe} with ${outcome.kind}`));
    const allowed = outcomes.filter((outcome) => outcome.status < 400 && !byDesign.includes(outcome));
    const expectedRefusals = (outcome: Outcome) =>
      outcome.kind === 'valid'
        ? [403]
        : outcome.kind === 'other_user' && outcome.probe.includes(' /admin/')
          ? [403]
          : refusalsOf(outcome.kind);
    const unexpected = outcomes.filter((outcome) => outcome.status >= 400 && !expectedRefusals(outcome).includes(outcome.status));
    console.log(
      `[authz-matrix] ${outcomes.length} combinations (${probes.length} routes on 4 services, ${probes.filter(isPublic).length} public; ` +
        `${DeniedTokenKinds.join(', ')}), ${allowed.length} allowed where denied, ${unexpected.length} refused with an unexpected status, ` +
        `${byDesign.length} accepted by design (${[...ACCEPTED_BY_DESIGN].join('; ')})`,
    );
    for (const outcome of [...allowed, ...unexpected])
      console.log(`[authz-matrix] ${outcome.probe} with ${outcome.kind}: ${outcome.status}`);
    expect(allowed).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(await victimState()).toEqual(before);
  });

  it('closes every WebSocket offered a token that must not pass', async () => {
    const url = `ws://127.0.0.1:${bed.mesh.services.get('api-gateway')?.http.port}`;
    const paths = [
      WebSocketPaths.events,
      `${WebSocketPaths.simulationStream}?simulation_id=${encodeURIComponent(bed.resources.simulationId)}`,
    ];
    const outcomes: { path: string; kind: DeniedTokenKind | 'valid'; admitted: boolean }[] = [];
    for (const path of paths) {
      for (const kind of DeniedTokenKinds) {
        // Another user may watch their own events: only the victim's simulation is hers alone.
        if (kind === 'other_user' && path === WebSocketPaths.events) continue;
        outcomes.push({
          path,
          kind,
          admitted: await socketOutcome(`${url}${path}`, await bed.authorization(kind), WS_AUTH_TIMEOUT_MS * 3),
        });
      }
      outcomes.push({
        path,
        kind: 'valid',
        admitted: await socketOutcome(`${url}${path}`, await bed.authorization('valid'), WS_AUTH_TIMEOUT_MS * 3),
      });
    }
    const admitted = outcomes.filter((outcome) => outcome.kind !== 'valid' && outcome.admitted);
    console.log(`[authz-matrix] ${outcomes.length - paths.length} WebSocket combinations, ${admitted.length} admitted where denied`);
    expect(admitted).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.kind === 'valid').map((outcome) => outcome.admitted)).toEqual(paths.map(() => true));
  });

  /** A unary call on a generated client: its status code and trailers (OK and empty on success). */
  const rpc = <Req>(call: (request: Req, metadata: Metadata, callback: (error: ServiceError | null) => void) => unknown, request: Req) =>
    new Promise<{ code: status; trailers: Metadata }>((resolve) => {
      call(request, new Metadata(), (error) => resolve({ code: error?.code ?? status.OK, trailers: error?.metadata ?? new Metadata() }));
    });
  const grpcAddress = (service: ServiceName) => `127.0.0.1:${bed.mesh.services.get(service)?.grpc.port}`;
  const tokenOf = async (kind: 'valid' | 'other_user') => (await bed.authorization(kind))?.replace('Bearer ', '');
  const aProjectOfAda = async (name: string, share?: 'editor' | 'viewer'): Promise<string> => {
    const token = await tokenOf('valid');
    const created = await jsonRequest(http, 'POST', `${bed.gatewayUrl}/projects`, { token, body: { name } });
    expect(created.status).toBe(201);
    const projectId = created.body.project_id as string;
    if (share) {
      const shared = await jsonRequest(http, 'POST', `${bed.gatewayUrl}/projects/${projectId}/share`, {
        token,
        body: { target_user_id: bed.bob.userId, role: share },
      });
      expect(shared.status).toBeLessThan(300);
    }
    return projectId;
  };

  it('refuses an editor making a project public on the gateway, the project port and UpdateProject, but lets them edit', async () => {
    const projectId = await aProjectOfAda('Ada shares to edit', 'editor');
    const bob = await tokenOf('other_user');
    const client = new ProjectServiceClient(grpcAddress('project'), credentials.createInsecure());
    try {
      const answers = [
        await jsonRequest(http, 'PATCH', `${bed.gatewayUrl}/projects/${projectId}`, { token: bob, body: { is_public: true } }),
        await jsonRequest(http, 'PATCH', `${baseOf.get('project')}/projects/${projectId}`, { token: bob, body: { is_public: true } }),
      ];
      const overGrpc = await rpc(client.updateProject.bind(client), {
        projectId,
        userId: bed.bob.userId,
        isPublic: true,
        configuration: {},
        removedConfigurationKeys: [],
        expectedUpdatedAt: 0,
      });
      const edit = await jsonRequest(http, 'PATCH', `${bed.gatewayUrl}/projects/${projectId}`, {
        token: bob,
        body: { name: 'Edited by Bob' },
      });

      expect(answers.map((answer) => [answer.status, String(answer.headers['content-type']).split(';')[0], answer.body.type])).toEqual(
        answers.map(() => [403, 'application/problem+json', 'urn:meshwork:problem:action_not_allowed']),
      );
      expect(overGrpc.code).toBe(status.PERMISSION_DENIED);
      expect(edit.status).toBe(200);
      const stored = await jsonRequest(http, 'GET', `${bed.gatewayUrl}/projects/${projectId}`, { token: await tokenOf('valid') });
      expect(stored.body).toMatchObject({ name: 'Edited by Bob' });
      const listedPublic = await jsonRequest(http, 'GET', `${bed.gatewayUrl}/projects?include_public=true&include_shared=false`, {
        token: bob,
      });
      expect(JSON.stringify(listedPublic.body)).not.toContain(projectId);
    } finally {
      client.close();
    }
  });

  it('lets a viewer and a reader of a public project watch but not start simulations, on every path; an editor starts', async () => {
    const viewed = await aProjectOfAda('Ada shares to view', 'viewer');
    const published = await aProjectOfAda('Ada publishes');
    const edited = await aProjectOfAda('Ada shares to run', 'editor');
    const made = await jsonRequest(http, 'PATCH', `${bed.gatewayUrl}/projects/${published}`, {
      token: await tokenOf('valid'),
      body: { is_public: true },
    });
    expect(made.status).toBe(200);
    const bob = await tokenOf('other_user');
    const client = new SimulationServiceClient(grpcAddress('simulation'), credentials.createInsecure());
    try {
      const refusals: unknown[] = [];
      for (const projectId of [viewed, published]) {
        for (const base of [bed.gatewayUrl, baseOf.get('simulation')]) {
          const answer = await jsonRequest(http, 'POST', `${base}/simulations`, {
            token: bob,
            body: { project_id: projectId, duration_seconds: 60 },
          });
          refusals.push([answer.status, answer.body.type]);
        }
        const overGrpc = await rpc(client.startSimulation.bind(client), {
          userId: bed.bob.userId,
          projectId,
          configuration: {},
          components: [],
          durationSeconds: 60,
          enableRealTime: true,
        });
        refusals.push(overGrpc.code);
      }
      const started = await jsonRequest(http, 'POST', `${bed.gatewayUrl}/simulations`, {
        token: bob,
        body: { project_id: edited, duration_seconds: 60 },
      });

      const forbidden = [403, 'urn:meshwork:problem:simulation_start_forbidden'];
      expect(refusals).toEqual([forbidden, forbidden, status.PERMISSION_DENIED, forbidden, forbidden, status.PERMISSION_DENIED]);
      expect(started.status).toBe(201);
      const stopped = await jsonRequest(http, 'POST', `${bed.gatewayUrl}/simulations/${started.body.simulation_id}/stop`, {
        token: bob,
        body: {},
      });
      expect(stopped.status).toBe(200);
    } finally {
      client.close();
    }
  });

  it('refuses a user a simulation past the running limit: 429 with Retry-After on both ports, RESOURCE_EXHAUSTED over gRPC', async () => {
    const carol = await aUser(http, bed.gatewayUrl, 'carol');
    const created = await jsonRequest(http, 'POST', `${bed.gatewayUrl}/projects`, {
      token: carol.token,
      body: { name: 'Carol runs a lot' },
    });
    const projectId = created.body.project_id as string;
    const body = { project_id: projectId, duration_seconds: 600, enable_real_time: true };
    const client = new SimulationServiceClient(grpcAddress('simulation'), credentials.createInsecure());
    const running: string[] = [];
    try {
      // SIMULATION_MAX_RUNNING_PER_USER is 5 by default; a burst of 8 starts at once passes it by 3, never more.
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => jsonRequest(http, 'POST', `${bed.gatewayUrl}/simulations`, { token: carol.token, body })),
      );
      running.push(...burst.filter((answer) => answer.status === 201).map((answer) => answer.body.simulation_id as string));
      const viaPort = await jsonRequest(http, 'POST', `${baseOf.get('simulation')}/simulations`, { token: carol.token, body });
      const viaGrpc = await rpc(client.startSimulation.bind(client), {
        userId: carol.userId,
        projectId,
        configuration: {},
        components: [],
        durationSeconds: 600,
        enableRealTime: true,
      });

      expect(burst.map((answer) => answer.status).sort()).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
      for (const refused of [...burst.filter((answer) => answer.status === 429), viaPort]) {
        expect(refused.status).toBe(429);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.body.type).toBe('urn:meshwork:problem:simulation_quota_exceeded');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
      expect(viaGrpc.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(Number(viaGrpc.trailers.get('retry-after-ms')[0])).toBeGreaterThanOrEqual(1_000);

      const stopped = await jsonRequest(http, 'POST', `${bed.gatewayUrl}/simulations/${running.shift()}/stop`, {
        token: carol.token,
        body: {},
      });
      expect(stopped.status).toBe(200);
      const again = await jsonRequest(http, 'POST', `${bed.gatewayUrl}/simulations`, { token: carol.token, body });
      expect(again.status).toBe(201);
      running.push(again.body.simulation_id as string);
    } finally {
      client.close();
      for (const id of running)
        await jsonRequest(http, 'POST', `${bed.gatewayUrl}/simulations/${id}/stop`, { token: carol.token, body: {} });
    }
  });

  it('serves the same calls to the victim herself, so the refusals above were decided by the token', async () => {
    const controls = probes.filter((p) => !isPublic(p)).sort((a, b) => destructiveLast(a) - destructiveLast(b));
    const outcomes: Outcome[] = [];
    for (const probe of controls) {
      const status = await send(
        http,
        baseOf.get(probe.service) ?? '',
        probe,
        await bed.authorization(isAdminRoute(probe) ? 'admin' : 'valid'),
      );
      // Each service's logout ends the session: the next call needs a new one.
      if (probe.route === '/auth/logout') bed.forgetValidToken();
      outcomes.push({ probe: label(probe), kind: 'valid', status });
    }
    const refused = outcomes.filter((outcome) => [400, 401, 403].includes(outcome.status) || outcome.status >= 500);
    console.log(`[authz-matrix] ${outcomes.length} control calls with the owner's token, ${refused.length} refused or failed`);
    for (const outcome of refused) console.log(`[authz-matrix] control ${outcome.probe}: ${outcome.status}`);
    expect(refused).toEqual([]);
  });

  const victimState = async () => {
    const { projectId, simulationId } = bed.resources;
    const token = (await bed.authorization('valid'))?.replace('Bearer ', '');
    const project = await jsonRequest(http, 'GET', `${bed.gatewayUrl}/projects/${projectId}`, { token });
    const permissions = await jsonRequest(http, 'GET', `${bed.gatewayUrl}/projects/${projectId}/permissions`, { token });
    const simulation = await jsonRequest(http, 'GET', `${bed.gatewayUrl}/simulations/${simulationId}`, { token });
    const profile = await jsonRequest(http, 'GET', `${bed.gatewayUrl}/auth/profile`, { token });
    // The renewals of the test's own tokens move `last_login_at`; the rest of the profile must stay.
    const { last_login_at: _lastLogin, ...user } = (profile.body as { user: Record<string, unknown> }).user;
    return { project: project.body, permissions: permissions.body, simulationStatus: simulation.body?.status, user };
  };
});
