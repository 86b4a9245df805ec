import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshStatus } from '../../adapters/http/dashboard/mesh-status.js';
import type { RunningMesh } from '../launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { aUser } from '../../test-support/gateway-users.js';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';

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

/** What a page shows of the open project: its fields and the version they are at. */
const contentOf = async (page: Page) => {
  const configuration: Record<string, string> = {};
  for (const row of await page.locator('#configuration-entries tr').all()) {
    configuration[(await row.getAttribute('data-key'))!] = await row.locator('input').inputValue();
  }
  return {
    name: await page.locator('#project-field-name').inputValue(),
    description: await page.locator('#project-field-description').inputValue(),
    configuration,
    version: Number(await page.locator('#project-form').getAttribute('data-version')),
  };
};
const ADMIN_EMAIL = 'root@example.com';

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

  const watchErrors = (watched: Page) => {
    watched.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
    watched.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
    });
    watched.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/ensure-services.sh does it)`);
    mesh = await startTestMesh({ SIMULATION_UPDATES_PER_SECOND: '20', AUTH_ADMIN_EMAILS: ADMIN_EMAIL });
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
    profile = await mkdtemp(join(tmpdir(), 'meshwork-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: launchArgs,
      viewport: { width: 1400, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    watchErrors(page);
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

    await expect.poll(() => page.locator('#template option').count(), { timeout: 10_000 }).toBeGreaterThan(0);
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
    await expect.poll(() => numberAttribute(page, '#mesh-services', 'data-services'), { timeout: 10_000 }).toBe(4);
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

  it('shows a maintenance window an administrator announces, live on the /events socket', async () => {
    const http = h2cAgent();
    try {
      const admin = await aUser(http, base, 'root', ADMIN_EMAIL);
      const endsAt = Date.now() + 60 * 60_000;
      const published = await jsonRequest(http, 'POST', `${base}/admin/announcements`, {
        token: admin.token,
        body: { kind: 'maintenance', message: 'Database upgrade tonight', ends_at: endsAt },
      });
      expect(published.status).toBe(201);

      const shown = page.locator('#announcements li.maintenance');
      await expect.poll(() => shown.count(), { timeout: 5_000 }).toBe(1);
      expect(await shown.textContent()).toContain('Database upgrade tonight');
      await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-announcement.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await http.close();
    }
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

  describe('two people editing one project in two pages', () => {
    const password = 'correct horse battery';
    let ownerPage: Page;
    let editorPage: Page;
    let ownerToken: string;
    let projectId: string;
    const editorSockets: WebSocketRoute[] = [];
    let holdReconnect: Promise<void> | undefined;
    /** The id of the last stream entry the editor's page was handed. */
    let lastIdDelivered = '';

    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const answer = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    const signIn = async (signingIn: Page, email: string) => {
      await signingIn.goto(`${base}/`);
      await signingIn.getByLabel('Email').fill(email);
      await signingIn.getByLabel('Password').fill(password);
      await signingIn.getByRole('button', { name: 'Log in', exact: true }).click();
      await expect.poll(() => signingIn.locator('body').getAttribute('data-signed-in'), { timeout: 10_000 }).toBe('true');
      await signingIn.getByRole('button', { name: 'Projects' }).click();
    };
    const openProject = async (opening: Page) => {
      await opening.locator(`#project-list button[data-project-id="${projectId}"]`).click();
      await expect.poll(() => opening.locator('#project').getAttribute('data-connection'), { timeout: 10_000 }).toBe('live');
    };
    const collaborators = (watched: Page) => watched.locator('#collaborators li').allTextContents();
    const stored = async () => {
      const { body } = await call('GET', `/projects/${projectId}`, ownerToken);
      return { name: body['name'], description: body['description'], configuration: body['configuration'] };
    };
    const withoutVersion = ({ version: _, ...content }: Awaited<ReturnType<typeof contentOf>>) => content;

    beforeAll(async () => {
      for (const [email, name] of [
        ['olive@example.com', 'Olive'],
        ['eddie@example.com', 'Eddie'],
      ]) {
        expect((await call('POST', '/auth/register', undefined, { email, password, name })).status).toBe(201);
      }
      ownerToken = (await call('POST', '/auth/login', undefined, { email: 'olive@example.com', password })).body['access_token'] as string;
      const created = await call('POST', '/projects', ownerToken, {
        name: 'Shop',
        description: 'A small shop',
        configuration: { nodes: '3', rps: '100' },
      });
      expect(created.status).toBe(201);
      projectId = created.body['project_id'] as string;

      ownerPage = await browser!.newPage();
      editorPage = await browser!.newPage();
      watchErrors(ownerPage);
      watchErrors(editorPage);
      // The editor's collaboration sockets pass through the test, which can drop one and hold the next.
      await editorPage.routeWebSocket(/\/collaboration\?/, async (route) => {
        editorSockets.push(route);
        if (holdReconnect) await holdReconnect;
        const server = route.connectToServer();
        server.onMessage((message) => {
          const id = (JSON.parse(String(message)) as { id?: unknown }).id;
          if (typeof id === 'string') lastIdDelivered = id;
          route.send(message);
        });
      });
    }, 30_000);

    it('shares the project from the owner’s page, and shows each page who is there, live', async () => {
      await signIn(ownerPage, 'olive@example.com');
      await openProject(ownerPage);
      expect(await ownerPage.locator('#project-role').textContent()).toBe('owner');
      await ownerPage.getByLabel('Share with', { exact: true }).fill('eddie@example.com');
      await ownerPage.getByLabel('As', { exact: true }).selectOption('editor');
      await ownerPage.getByRole('button', { name: 'Share', exact: true }).click();
      await expect
        .poll(() => ownerPage.locator('#message').textContent(), { timeout: 10_000 })
        .toBe('Shared with eddie@example.com as editor.');
      expect(await collaborators(ownerPage)).toEqual(['olive@example.com (you) · owner']);

      await signIn(editorPage, 'eddie@example.com');
      await openProject(editorPage);
      expect(await editorPage.locator('#project-role').textContent()).toBe('editor');
      expect(await editorPage.locator('#project-field-name').isEditable()).toBe(true);
      await expect
        .poll(() => collaborators(ownerPage), { timeout: 10_000 })
        .toEqual(['olive@example.com (you) · owner', 'eddie@example.com · editor']);
      expect((await collaborators(editorPage)).sort()).toEqual(['eddie@example.com (you) · editor', 'olive@example.com · owner']);
      // Sharing stored a version: the owner's page got its entry, both pages are at the same version.
      const editors = await contentOf(editorPage);
      await expect.poll(() => contentOf(ownerPage), { timeout: 10_000 }).toEqual(editors);
      expect(withoutVersion(await contentOf(ownerPage))).toEqual(await stored());
      expect(pageErrors).toEqual([]);
    }, 30_000);

    it('keeps both changes when the two pages change different entries at once', async () => {
      const from = await contentOf(ownerPage);
      const nodes = ownerPage.getByLabel('Value of nodes');
      const rps = editorPage.getByLabel('Value of rps');
      await nodes.fill('6');
      await rps.fill('250');
      await Promise.all([nodes.press('Enter'), rps.press('Enter')]);

      const expected = { ...withoutVersion(from), configuration: { nodes: '6', rps: '250' }, version: from.version + 2 };
      await expect.poll(() => contentOf(ownerPage), { timeout: 10_000 }).toEqual(expected);
      await expect.poll(() => contentOf(editorPage), { timeout: 10_000 }).toEqual(expected);
      expect(await stored()).toEqual(withoutVersion(expected));
      expect(await editorPage.locator('#conflicts li').count()).toBe(0);
      expect(pageErrors).toEqual([]);
    }, 60_000);

    it('lets the first of two edits of the same entry win and shows the other page the conflict with the current value', async () => {
      const ownerName = ownerPage.locator('#project-field-name');
      const editorName = editorPage.locator('#project-field-name');
      // Both start from the same version; the owner saves first.
      await ownerName.fill('Shop A');
      await editorName.fill('Shop B');
      await ownerName.press('Enter');
      await expect.poll(() => editorPage.locator('#project-title').textContent(), { timeout: 10_000 }).toBe('Shop A');
      expect(await editorName.inputValue()).toBe('Shop B'); // what the editor is typing is left alone

      await editorName.press('Enter');
      await expect.poll(() => editorPage.locator('#conflicts li').count(), { timeout: 10_000 }).toBe(1);
      const conflict = await editorPage.locator('#conflicts li').textContent();
      expect(conflict).toContain('name: olive@example.com changed it to “Shop A”');
      expect(conflict).toContain('your “Shop B” was not saved');
      expect(await editorPage.locator('#message').textContent()).toBe('Conflict on name: see below the fields.');
      await expect.poll(() => editorName.inputValue(), { timeout: 10_000 }).toBe('Shop A');

      // The conflict answer carried the current document; the owner's page reaches the same version.
      const editors = await contentOf(editorPage);
      expect(editors.name).toBe('Shop A');
      await expect.poll(() => contentOf(ownerPage), { timeout: 10_000 }).toEqual(editors);
      expect(await stored()).toEqual(withoutVersion(editors));
      expect(await ownerPage.locator('#conflicts li').count()).toBe(0);
      await editorPage.screenshot({ path: join(OUTPUT_DIR, 'dashboard-collaboration.png'), fullPage: true });

      // The editor insists: "Use mine" sends its value against the version it now holds, and both pages follow.
      await editorPage.getByRole('button', { name: 'Use mine' }).click();
      expect(await editorPage.locator('#conflicts li').count()).toBe(0);
      await expect.poll(() => ownerName.inputValue(), { timeout: 10_000 }).toBe('Shop B');
      const insisted = await contentOf(ownerPage);
      await expect.poll(() => contentOf(editorPage), { timeout: 10_000 }).toEqual(insisted);
      expect(await stored()).toEqual(withoutVersion(insisted));
      expect(pageErrors).toEqual([]);
    }, 60_000);

    it('reconnects a page whose socket dropped with the last entry id it saw, and it catches up', async () => {
      const dropped = editorSockets.at(-1)!;
      let release = () => {};
      holdReconnect = new Promise((resolve) => (release = resolve));
      const lastSeen = lastIdDelivered;
      expect(lastSeen).toMatch(/^\d+-\d+$/);
      await dropped.close({ code: 4000, reason: 'test drop' });
      await expect.poll(() => editorPage.locator('#project').getAttribute('data-connection'), { timeout: 10_000 }).toBe('reconnecting');
      expect(await editorPage.locator('#project-field-name').isDisabled()).toBe(true);
      await expect.poll(() => collaborators(ownerPage), { timeout: 10_000 }).toEqual(['olive@example.com (you) · owner']);

      // While the editor is away, the owner changes the description and adds an entry.
      const description = ownerPage.locator('#project-field-description');
      await description.fill('A small shop, now with a cache');
      await description.blur();
      await ownerPage.getByLabel('New key').fill('cache/ttl~s');
      await ownerPage.getByLabel('Value', { exact: true }).fill('60');
      await ownerPage.getByRole('button', { name: 'Add entry' }).click();
      await expect.poll(() => ownerPage.locator('#configuration-entries').getAttribute('data-entries'), { timeout: 10_000 }).toBe('3');

      await expect.poll(() => editorSockets.length, { timeout: 10_000 }).toBeGreaterThan(1);
      const again = new URL(editorSockets.at(-1)!.url());
      expect(again.searchParams.get('last_id')).toBe(lastSeen);
      expect(again.searchParams.get('project_id')).toBe(projectId);
      holdReconnect = undefined;
      release();

      await expect.poll(() => editorPage.locator('#project').getAttribute('data-connection'), { timeout: 10_000 }).toBe('live');
      const owners = await contentOf(ownerPage);
      expect(owners.configuration).toEqual({ 'cache/ttl~s': '60', nodes: '6', rps: '250' });
      await expect.poll(() => contentOf(editorPage), { timeout: 10_000 }).toEqual(owners);
      expect(await stored()).toEqual(withoutVersion(owners));
      expect(await editorPage.locator('#message').textContent()).toBe('Back in the session: caught up from the last change this page saw.');
      await expect
        .poll(() => collaborators(ownerPage), { timeout: 10_000 })
        .toEqual(['olive@example.com (you) · owner', 'eddie@example.com · editor']);
      expect(pageErrors).toEqual([]);
    }, 60_000);

    it('shows a viewer the same content, read-only, and updates it live', async () => {
      const viewer = { email: 'vera@example.com', password, name: 'Vera' };
      expect((await call('POST', '/auth/register', undefined, viewer)).status).toBe(201);
      const shared = await call('POST', `/projects/${projectId}/share`, ownerToken, { target_email: viewer.email, role: 'viewer' });
      expect(shared.body['shared']).toBe(true);
      await signIn(page, viewer.email);
      await openProject(page);
      expect(await page.locator('#project-role').textContent()).toBe('viewer');
      expect(await page.locator('#project-readonly').isVisible()).toBe(true);
      for (const field of ['#project-field-name', '#project-field-description', '#new-key', '#configuration-entries input >> nth=0']) {
        expect(await page.locator(field).isDisabled()).toBe(true);
      }
      await expect
        .poll(() => collaborators(ownerPage), { timeout: 10_000 })
        .toEqual(['olive@example.com (you) · owner', 'eddie@example.com · editor', 'vera@example.com · viewer']);

      const rps = ownerPage.getByLabel('Value of rps');
      await rps.fill('400');
      await rps.press('Enter');
      await expect.poll(() => page.getByLabel('Value of rps').inputValue(), { timeout: 10_000 }).toBe('400');
      const viewers = await contentOf(page);
      // The owner's own field shows 400 from the keyboard before its page has the version: compare whole contents.
      await expect.poll(() => contentOf(ownerPage), { timeout: 10_000 }).toEqual(viewers);
      await expect.poll(() => contentOf(editorPage), { timeout: 10_000 }).toEqual(viewers);
      expect(await stored()).toEqual(withoutVersion(viewers));
      expect(pageErrors).toEqual([]);
    }, 60_000);
  });
});
