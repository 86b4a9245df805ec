import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshStatus } from '../../adapters/http/dashboard/mesh-status.js';
import type { RunningMesh } from '../launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT_DIR = join(process.cwd(), 'test-output');

/** Flags that work on this headless machine (no GPU, no network beyond the mesh). */
const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const numberAttribute = async (page: Page, selector: string, name: string): Promise<number> =>
  Number(await page.locator(selector).getAttribute(name));

/**
 * The dashboard in headless Chromium against a real mesh in this process: a person registers,
 * starts a simulation from a template, watches the 12 charts fill from the WebSocket, reads the
 * analysis, then the mesh view. Screenshots go to test-output/.
 */
describe('the live dashboard in a browser', () => {
  let mesh: RunningMesh;
  let base: string;
  let profile: string;
  let browser: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/ensure-services.sh does it)`);
    mesh = await startTestMesh({ SIMULATION_UPDATES_PER_SECOND: '20' });
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
    profile = await mkdtemp(join(tmpdir(), 'meshwork-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: launchArgs,
      viewport: { width: 1400, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    await mkdir(OUTPUT_DIR, { recursive: true });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await mesh?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('signs up, starts a simulation and draws its 12 metrics live, then shows the analysis', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill('dashboard@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('Name (to register)').fill('Dee');
    await page.getByRole('button', { name: 'Register and log in' }).click();

    await expect.poll(() => page.locator('#template option').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    await page.getByLabel('Template').selectOption('microservices');
    await page.getByLabel('Duration (seconds)').fill('6');
    await page.getByRole('button', { name: 'Create project and start' }).click();

    // Points while the run is live: the stream feeds the charts, not the final results.
    await expect.poll(() => numberAttribute(page, '#charts', 'data-points'), { timeout: 8_000 }).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#run-status').textContent()).toBe('running');
    expect(await page.locator('#charts figure.chart canvas').count()).toBe(12);
    expect(Number(await page.locator('#progress').getAttribute('value'))).toBeGreaterThan(0);

    await expect.poll(() => page.locator('#analysis').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('#run-status').textContent()).toBe('completed');
    expect(await page.locator('#progress').getAttribute('value')).toBe('100');
    // 6 s at 20 samples/s: the stream delivered the whole run.
    expect(await numberAttribute(page, '#charts', 'data-points')).toBeGreaterThanOrEqual(100);
    expect(await page.locator('#analysis-body').textContent()).toMatch(/Score[\s\S]*Bottlenecks[\s\S]*Recommendations/);
    const rps = await page.locator('figure[data-metric="requests_per_sec"] figcaption strong').textContent();
    expect(Number(rps?.replaceAll(',', ''))).toBeGreaterThan(0);

    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('lists the four services of the mesh with their health, pools and breakers, refreshed live', async () => {
    await page.getByRole('button', { name: 'Mesh' }).click();
    await expect.poll(() => numberAttribute(page, '#mesh-services', 'data-services'), { timeout: 5_000 }).toBe(4);
    const sections = await page.locator('#mesh-services section[data-service]').all();
    const services = await Promise.all(sections.map((section) => section.getAttribute('data-service')));
    expect(services.sort()).toEqual(['api-gateway', 'auth', 'project', 'simulation']);
    const auth = page.locator('section[data-service="auth"]');
    expect(await auth.locator('td.health-healthy').count()).toBe(1);
    expect(await auth.locator('td.breaker-closed').count()).toBe(1);
    expect(await auth.locator('td', { hasText: /\d+\/\d+ ready/ }).count()).toBe(1);

    const first = await page.locator('#mesh-updated').textContent();
    await expect.poll(() => page.locator('#mesh-updated').textContent(), { timeout: 4_000 }).not.toBe(first);

    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-mesh.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 15_000);

  it('signs out back to the sign-in form, the mesh view stopped', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.locator('#login-view').isVisible(), { timeout: 3_000 }).toBe(true);
    expect(await page.locator('#mesh-view').isVisible()).toBe(false);
    expect(await page.locator('#message').textContent()).toBe('Signed out.');
    expect(pageErrors).toEqual([]);
  });

  it('serves the mesh status only to a signed-in caller', async () => {
    const anonymous = await fetch(`${base}/mesh/status`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');

    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const account = { email: 'operator@example.com', password: 'correct horse battery' };
    expect((await post('/auth/register', { ...account, name: 'Operator' })).status).toBe(201);
    const login = (await (await post('/auth/login', account)).json()) as { access_token: string };
    const answer = await fetch(`${base}/mesh/status`, { headers: { authorization: `Bearer ${login.access_token}` } });
    expect(answer.status).toBe(200);
    const status = (await answer.json()) as MeshStatus;
    expect(status.registry).toBe('memory');
    const simulation = status.services.find((service) => service.service === 'simulation');
    expect(simulation?.instances).toHaveLength(1);
    expect(simulation?.instances[0]).toMatchObject({ status: 'healthy', in_rotation: true, breaker: 'closed' });
    expect(simulation?.instances[0]?.pool?.connections).toBeGreaterThanOrEqual(5);
    // A handful of calls, the first ones slow, is no evidence of load: the pool does not grow to its maximum (docs/adr/0059).
    const auth = status.services.find((service) => service.service === 'auth');
    expect(auth?.instances[0]?.pool?.connections).toBeLessThan(20);
  });
});
