import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
]);

/** Accepted where the matrix would refuse, on purpose (none today; name each with its reason). */
const ACCEPTED_BY_DESIGN = new Set<string>([]);

/** What each denied kind must get: 401 for a token that proves nothing, 403 or 404 (hidden) for another user. */
const refusalsOf = (kind: DeniedTokenKind): readonly number[] => (kind === 'other_user' ? [403, 404] : [401]);

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
    // Every call below comes from one address and three users: the limits must not answer first.
    for (const name of ['GATEWAY_RATE_PER_ADDRESS', 'GATEWAY_RATE_BURST_PER_ADDRESS', 'GATEWAY_RATE_PER_USER', 'GATEWAY_RATE_BURST_PER_USER']) {
      vi.stubEnv(name, '100000');
    }
    vi.stubEnv('GATEWAY_WS_AUTH_TIMEOUT_MS', String(WS_AUTH_TIMEOUT_MS));
    bed = await startMeshWithVictim(http);
    catalogue.stop();
    const { projectId, simulationId, exportId, templateId } = bed.resources;
    const bySegment: Record<string, string> = { projects: projectId, simulations: simulationId, exports: exportId, templates: templateId };
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
      routes.map(({ route }) => route).find((route) => route.method === method && route.url === url && (route.schema as { body?: unknown } | undefined)?.body)?.schema?.body;
    for (const { service, route } of routes) {
      probes.push(probeOf(service, route, (segment) => bySegment[segment], bodyIds, owned, bodySchemaOf(route.method, route.url)));
    }
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    vi.unstubAllEnvs();
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
        if (kind === 'other_user' && !probe.touchesVictim) continue;
        const status = await send(http, baseOf.get(probe.service) ?? '', probe, await bed.authorization(kind));
        outcomes.push({ probe: label(probe), kind, status });
      }
    }
    const byDesign = outcomes.filter((outcome) => ACCEPTED_BY_DESIGN.has(`${outcome.probe} with ${outcome.kind}`));
    const allowed = outcomes.filter((outcome) => outcome.status < 400 && !byDesign.includes(outcome));
    const unexpected = outcomes.filter((outcome) => outcome.status >= 400 && !refusalsOf(outcome.kind as DeniedTokenKind).includes(outcome.status));
    console.log(
      `[authz-matrix] ${outcomes.length} combinations (${probes.length} routes on 4 services, ${probes.filter(isPublic).length} public; ` +
        `${DeniedTokenKinds.join(', ')}), ${allowed.length} allowed where denied, ${unexpected.length} refused with an unexpected status, ` +
        `${byDesign.length} accepted by design (${[...ACCEPTED_BY_DESIGN].join('; ')})`,
    );
    for (const outcome of [...allowed, ...unexpected]) console.log(`[authz-matrix] ${outcome.probe} with ${outcome.kind}: ${outcome.status}`);
    expect(allowed).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(await victimState()).toEqual(before);
  });

  it('closes every WebSocket offered a token that must not pass', async () => {
    const url = `ws://127.0.0.1:${bed.mesh.services.get('api-gateway')?.http.port}`;
    const paths = [WebSocketPaths.events, `${WebSocketPaths.simulationStream}?simulation_id=${encodeURIComponent(bed.resources.simulationId)}`];
    const outcomes: { path: string; kind: DeniedTokenKind | 'valid'; admitted: boolean }[] = [];
    for (const path of paths) {
      for (const kind of DeniedTokenKinds) {
        // Another user may watch their own events: only the victim's simulation is hers alone.
        if (kind === 'other_user' && path === WebSocketPaths.events) continue;
        outcomes.push({ path, kind, admitted: await socketOutcome(`${url}${path}`, await bed.authorization(kind), WS_AUTH_TIMEOUT_MS * 3) });
      }
      outcomes.push({ path, kind: 'valid', admitted: await socketOutcome(`${url}${path}`, await bed.authorization('valid'), WS_AUTH_TIMEOUT_MS * 3) });
    }
    const admitted = outcomes.filter((outcome) => outcome.kind !== 'valid' && outcome.admitted);
    console.log(`[authz-matrix] ${outcomes.length - paths.length} WebSocket combinations, ${admitted.length} admitted where denied`);
    expect(admitted).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.kind === 'valid').map((outcome) => outcome.admitted)).toEqual(paths.map(() => true));
  });

  it('serves the same calls to the victim herself, so the refusals above were decided by the token', async () => {
    const controls = probes.filter((p) => !isPublic(p)).sort((a, b) => destructiveLast(a) - destructiveLast(b));
    const outcomes: Outcome[] = [];
    for (const probe of controls) {
      const status = await send(http, baseOf.get(probe.service) ?? '', probe, await bed.authorization('valid'));
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
