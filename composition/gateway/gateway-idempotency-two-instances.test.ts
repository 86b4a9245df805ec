import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import { UNTHROTTLED_GATEWAY } from '../../test-support/mesh-process.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../../test-support/postgres-fixture.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import type { RunningMesh } from '../launcher.js';

const ADMIN_EMAIL = 'root@two-instances.test';
/** Attempts sent at once through each gateway: enough that some overlap inside the services. */
const ATTEMPTS_PER_GATEWAY = 4;

/**
 * Two meshes on one PostgreSQL database, as two instances of every service in two processes: each
 * keeps its own bookkeeping of keys in flight, so only the key recorded in the write's own
 * transaction (docs/adr/0058, 0064) keeps attempts with one key, sent through both gateways at once,
 * from making the write twice.
 */
describe('writes with one Idempotency-Key through two instances of every service at once', () => {
  const http = h2cAgent();
  let database: PostgresDatabase;
  const meshes: RunningMesh[] = [];
  let gateways: string[];
  let admin: TestUser;

  /** Every attempt through both gateways at once with `key`: their statuses and bodies. */
  const raced = (method: 'POST', path: string, user: TestUser, body: unknown, key: string) =>
    Promise.all(
      gateways.flatMap((gateway) =>
        Array.from({ length: ATTEMPTS_PER_GATEWAY }, () =>
          jsonRequest(http, method, `${gateway}${path}`, { token: user.token, body, headers: { 'idempotency-key': key } }),
        ),
      ),
    );

  beforeAll(async () => {
    database = await createThrowawayDatabase('idempotency_two');
    const env = { ...UNTHROTTLED_GATEWAY, AUTH_ADMIN_EMAILS: ADMIN_EMAIL, MESH_STORAGE: 'sql', DATABASE_URL: database.url };
    // One after the other: the first migrates the database.
    meshes.push(await startTestMesh(env));
    meshes.push(await startTestMesh(env));
    gateways = meshes.map((mesh) => `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`);
    admin = await aUser(http, gateways[0]!, 'root', ADMIN_EMAIL);
  }, 120_000);

  afterAll(async () => {
    await http.close();
    for (const mesh of meshes) await mesh.stop();
    await database?.drop();
  }, 60_000);

  it('publishes an announcement once (auth over gRPC)', async () => {
    const body = { kind: 'info', message: `Raced ${randomUUID()}` };

    const answers = await raced('POST', '/admin/announcements', admin, body, `key-${randomUUID()}`);

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((answer) => answer.body.announcement.announcement_id)).size).toBe(1);
    const current = await jsonRequest(http, 'GET', `${gateways[1]}/announcements`, { token: admin.token });
    expect(current.body.announcements.filter((announcement: { message: string }) => announcement.message === body.message)).toHaveLength(1);
  });

  it('queues a project report once (the project service over HTTP)', async () => {
    const ada = await aUser(http, gateways[0]!, 'ada');
    const project = await jsonRequest(http, 'POST', `${gateways[0]}/projects`, { token: ada.token, body: { name: 'Reported' } });

    const answers = await raced('POST', `/projects/${project.body.project_id}/reports`, ada, {}, `key-${randomUUID()}`);

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    expect(new Set(answers.map((answer) => answer.body.export.id)).size).toBe(1);
  });

  it('creates a project once (the project service over gRPC)', async () => {
    const ada = await aUser(http, gateways[0]!, 'ada');
    const name = `Raced ${randomUUID()}`;

    const answers = await raced('POST', '/projects', ada, { name }, `key-${randomUUID()}`);

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    const listed = await jsonRequest(http, 'GET', `${gateways[1]}/projects?page_size=100`, { token: ada.token });
    expect(listed.body.projects.filter((project: { name: string }) => project.name === name)).toHaveLength(1);
  });
});
