import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../adapters/observability/logger.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { repeatedJsonKeys } from '../test-support/json-keys.js';
import { startMesh, type RunningMesh } from './launcher.js';
import { testMeshConfig } from '../test-support/test-mesh.js';

const TIMEOUT_MS = 90_000;

interface LogLine {
  readonly text: string;
  readonly fields: Record<string, unknown>;
}

/**
 * Every service of the mesh in this process, on embedded SQL, logging at debug into a buffer: the
 * three flows, then a forward to a service that is gone. No line may name a key twice.
 */
describe('the log lines of a running mesh', () => {
  const lines: LogLine[] = [];
  const http = h2cAgent();
  let mesh: RunningMesh;
  let dataDir: string;
  let gateway: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meshwork-log-lines-'));
    const sink = { write: (text: string) => void lines.push({ text, fields: JSON.parse(text) as Record<string, unknown> }) };
    mesh = await startMesh({
      config: testMeshConfig({ MESH_STORAGE: 'sql', DATA_DIR: dataDir }),
      logger: createLogger('meshwork', 'debug', sink),
    });
    gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
  }, TIMEOUT_MS);

  afterAll(async () => {
    await http.close();
    await mesh?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it('name each key once, and name the other side of a call `target`', { timeout: TIMEOUT_MS }, async () => {
    const account = { email: 'logs@example.com', password: 'correct horse battery' };
    expect((await jsonRequest(http, 'POST', `${gateway}/auth/register`, { body: { ...account, name: 'Lo' } })).status).toBe(201);
    const { access_token: token } = (await jsonRequest(http, 'POST', `${gateway}/auth/login`, { body: account })).body;
    const project = await jsonRequest(http, 'POST', `${gateway}/projects`, {
      token,
      body: { name: 'Logged', template_id: 'microservices' },
    });
    expect(project.status).toBe(201);
    const started = await jsonRequest(http, 'POST', `${gateway}/simulations`, {
      token,
      body: { project_id: project.body.project_id, duration_seconds: 1 },
    });
    expect(started.status).toBe(201);

    // Auth is gone: the gateway's forward of a login fails, and says so on a line of its own.
    await mesh.services.get('auth')!.stop();
    expect((await jsonRequest(http, 'POST', `${gateway}/auth/login`, { body: account })).status).toBe(503);
    await waitFor(() => lines.some((line) => line.fields.msg === 'forwarding failed'), 10_000, 'the forwarding failed line');

    const repeated = lines.map((line) => ({ line: line.text, keys: repeatedJsonKeys(line.text) })).filter(({ keys }) => keys.length > 0);
    expect(repeated).toEqual([]);
    const opened = lines.filter((line) => line.fields.msg === 'database opened').map((line) => line.fields.service);
    expect(opened.sort()).toEqual(['auth', 'project', 'simulation']);
    expect(lines.find((line) => line.fields.msg === 'forwarding failed')!.fields).toMatchObject({ service: 'api-gateway', target: 'auth' });
    expect(lines.length).toBeGreaterThan(30);
  });
});
