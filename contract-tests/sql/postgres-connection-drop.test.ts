import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../../test-support/postgres-fixture.js';
import { waitFor } from '../messaging/wait.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';

const STARTUP_TIMEOUT_MS = 120_000;

/**
 * The whole mesh on PostgreSQL. A project update runs `UPDATE projects` then rewrites the shares
 * in one transaction (adapters/sql/project/sql-project-repository.ts): a lock held on the shares
 * table from a second connection stops the update between the two, and `pg_terminate_backend`
 * then drops its connection mid-transaction.
 */
describe('a PostgreSQL connection dropped in the middle of a transaction', () => {
  const http = h2cAgent();
  let database: PostgresDatabase;
  let mesh: RunningMesh;
  let base: string;
  let ada: TestUser;
  let blocker: pg.Client;
  let monitor: pg.Client;

  beforeAll(async () => {
    database = await createThrowawayDatabase('connection-drop');
    mesh = await startTestMesh({ MESH_STORAGE: 'sql', DATABASE_URL: database.url });
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')?.http.port}`;
    ada = await aUser(http, base, 'ada');
    blocker = new pg.Client({ connectionString: database.url });
    monitor = new pg.Client({ connectionString: database.url });
    await Promise.all([blocker.connect(), monitor.connect()]);
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([blocker?.end(), monitor?.end()]);
    await http.close();
    await mesh?.stop();
    await database?.drop();
  }, STARTUP_TIMEOUT_MS);

  const project = (id: string) => jsonRequest(http, 'GET', `${base}/projects/${id}`, { token: ada.token });
  const rename = (id: string, name: string) => jsonRequest(http, 'PATCH', `${base}/projects/${id}`, { token: ada.token, body: { name } });

  it('leaves the write fully absent, answers 503, and serves the next write', async () => {
    const committed: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      const created = await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: `kept ${n}` } });
      expect(created.status).toBe(201);
      committed.push(created.body.project_id);
    }
    const target = committed[0] ?? '';
    const before = (await project(target)).body;

    await blocker.query('BEGIN');
    // EXCLUSIVE lets reads through and stops writes: the update's first statement passes, rewriting the shares waits.
    await blocker.query('LOCK TABLE project.project_shares IN EXCLUSIVE MODE');
    const pending = rename(target, 'never committed');
    let waiting: { pid: number; query: string } | undefined;
    await waitFor(
      async () => {
        const { rows } = await monitor.query<{ pid: number; query: string }>(
          `SELECT pid, query FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND state = 'active' AND query ILIKE 'delete from "project_shares"%'`,
        );
        waiting = rows[0];
        return waiting !== undefined;
      },
      10_000,
      'the update waiting on the shares lock inside its transaction',
    );
    const victim = waiting as { pid: number; query: string };
    const { rows: inTransaction } = await monitor.query<{ xact_start: Date | null }>(
      'SELECT xact_start FROM pg_stat_activity WHERE pid = $1',
      [victim.pid],
    );
    await monitor.query('SELECT pg_terminate_backend($1)', [victim.pid]);
    await blocker.query('ROLLBACK');
    const answer = await pending;

    const after = (await project(target)).body;
    const recovered = await rename(target, 'renamed after the drop');
    const survivors = await Promise.all(committed.map(async (id) => (await project(id)).status));
    const lost = survivors.filter((status) => status !== 200).length;
    console.log(
      `[pg-fault] terminated backend ${victim.pid} inside its transaction (UPDATE done, waiting on "${victim.query.slice(0, 40)}..."): ` +
        `answered ${answer.status} ${answer.body?.type ?? ''}; the update ${after.name === before.name ? 'fully absent' : 'PARTLY WRITTEN'}; ` +
        `next write answered ${recovered.status}; lost ${lost} of ${committed.length} committed projects`,
    );
    expect(inTransaction[0]?.xact_start).toBeInstanceOf(Date);
    expect(answer.status).toBe(503);
    expect(after).toEqual(before);
    expect(recovered.status).toBe(200);
    expect(recovered.body.project.name).toBe('renamed after the drop');
    expect(lost).toBe(0);
  });
});
