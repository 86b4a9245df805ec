import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';
import { createHttpApp } from '../fastify-app.js';
import { addSecurityHeaders } from '../gateway/security-headers.js';
import { listenHttp } from '../listen.js';
import { createLogger } from '../../observability/logger.js';
import { dashboardPublicDir, loadDashboardAssets } from './dashboard-assets.js';
import { registerDashboard } from './dashboard-plugin.js';
import { dashboardCsp } from './dashboard-routes.js';
import type { MeshStatus } from './mesh-status.js';

const status: MeshStatus = {
  registry: 'memory',
  observed_at: 1_800_000_000_000,
  services: [{ service: 'auth', health_checks: null, instances: [] }],
};

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** A gateway-like app: its security headers first, then the dashboard, as the gateway registers them. */
const serve = async (withMeshStatus = true): Promise<string> => {
  const app = createHttpApp({ logger: createLogger('dashboard-test', 'silent') });
  open.push(app);
  addSecurityHeaders(app, { behindTls: false });
  await registerDashboard(app, {
    assets: loadDashboardAssets(),
    ...(withMeshStatus && {
      meshStatus: {
        identify: async (request) => {
          if (request.headers.authorization !== 'Bearer good') {
            throw new DomainFailureError(failure('unauthenticated', 'invalid_token', 'A valid bearer token is required.'));
          }
        },
        status: () => status,
      },
    }),
  });
  return (await listenHttp(app, { host: '127.0.0.1', port: 0 })).url;
};

describe('the dashboard routes', () => {
  it('serves the page at / with a CSP that allows only its own scripts, styles and WebSockets', async () => {
    const base = await serve();
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    const host = new URL(base).host;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
    expect(html).not.toMatch(/<script>|<script type="module">|\son[a-z]+="/);
  });

  it('serves its scripts, styles and the vendored uPlot with their content types and cache headers', async () => {
    const base = await serve();
    const script = await fetch(`${base}/dashboard/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('no-cache');
    expect(script.headers.get('content-security-policy')).toBeNull();
    const css = await fetch(`${base}/dashboard/dashboard.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const uplot = await fetch(`${base}/dashboard/vendor/uPlot.esm.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(await uplot.text()).toContain('export { uPlot as default }');
    expect((await fetch(`${base}/dashboard/vendor/uPlot.min.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a request that already has the current version', async () => {
    const base = await serve();
    const first = await fetch(`${base}/dashboard/charts.js`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await fetch(`${base}/dashboard/charts.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('answers an unknown file, or a path outside the folder, with a problem+json 404', async () => {
    const base = await serve();
    for (const path of ['/dashboard/nope.js', '/dashboard/../package.json', '/dashboard/%2e%2e/%2e%2e/package.json']) {
      const answer = await fetch(`${base}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type'), path).toContain('application/problem+json');
    }
  });

  it('gives the mesh status to a signed-in caller only, never cached', async () => {
    const base = await serve();
    const anonymous = await fetch(`${base}/mesh/status`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    const answer = await fetch(`${base}/mesh/status`, { headers: { authorization: 'Bearer good' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toEqual(status);
  });

  it('has no mesh status route outside a process mesh', async () => {
    const base = await serve(false);
    expect((await fetch(`${base}/mesh/status`, { headers: { authorization: 'Bearer good' } })).status).toBe(404);
  });
});

describe('the dashboard assets', () => {
  it('are found in the package whether running from source or from dist/', () => {
    expect(loadDashboardAssets(dashboardPublicDir()).has('index.html')).toBe(true);
  });

  it('refuse to start without the page', () => {
    const empty = mkdtempSync(join(tmpdir(), 'dashboard-assets-'));
    writeFileSync(join(empty, 'app.js'), '');
    expect(() => loadDashboardAssets(empty)).toThrow(/index.html is missing/);
  });
});

describe('the dashboard CSP', () => {
  it('names the WebSocket origin only for a plain host and port', () => {
    expect(dashboardCsp('[::1]:8001')).toContain("connect-src 'self' ws://[::1]:8001 wss://[::1]:8001;");
    expect(dashboardCsp("evil; script-src 'unsafe-inline'")).toContain("connect-src 'self';");
    expect(dashboardCsp("evil; script-src 'unsafe-inline'")).not.toContain('unsafe-inline');
  });
});
