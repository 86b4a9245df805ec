/**
 * The floor of the shape benchmarks: bare fastify over h2c doing the SQL each client operation
 * needs, and nothing else (no token check, no hops, no events):
 *   node --import tsx bench/support/sql-floor-main.ts <port> postgres <url>
 *   node --import tsx bench/support/sql-floor-main.ts <port> pglite <dir>
 * Prints `ready <port>` once it listens.
 *
 * Statements per operation (what the services do against their own tables, ADR 0063 lists them):
 * - POST /projects: a transaction of INSERT project + INSERT outbox row, and INSERT the owner's grant;
 * - GET /projects/:id: SELECT by key; GET /projects: SELECT the owner's first page;
 * - POST /auth/login: SELECT the user by email, INSERT the session (no password hash: that is CPU, not SQL);
 * - POST /simulations: SELECT the project by key, INSERT the simulation; GET /simulations/:id: SELECT by key.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';

const [portText, kind, where] = process.argv.slice(2) as [string, 'postgres' | 'pglite', string];

interface Sql {
  query(text: string, params?: readonly unknown[]): Promise<readonly Record<string, unknown>[]>;
  transaction(statements: readonly (readonly [string, readonly unknown[]])[]): Promise<void>;
}

const openSql = async (): Promise<Sql> => {
  if (kind === 'pglite') {
    const db = await PGlite.create(where);
    return {
      query: async (text, params) => (await db.query<Record<string, unknown>>(text, params as unknown[])).rows,
      transaction: async (statements) => {
        await db.transaction(async (tx) => {
          for (const [text, params] of statements) await tx.query(text, params as unknown[]);
        });
      },
    };
  }
  const pool = new pg.Pool({ connectionString: where, max: 10 });
  return {
    query: async (text, params) => (await pool.query(text, params as unknown[])).rows as Record<string, unknown>[],
    transaction: async (statements) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const [text, params] of statements) await client.query(text, params as unknown[]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  };
};

const sql = await openSql();
for (const statement of [
  'CREATE TABLE IF NOT EXISTS floor_projects (id uuid PRIMARY KEY, owner_id text NOT NULL, name text NOT NULL, template_id text, data jsonb NOT NULL, created_at timestamptz NOT NULL)',
  'CREATE INDEX IF NOT EXISTS floor_projects_owner ON floor_projects (owner_id, created_at DESC)',
  'CREATE TABLE IF NOT EXISTS floor_outbox (id bigserial PRIMARY KEY, channel text NOT NULL, payload jsonb NOT NULL)',
  'CREATE TABLE IF NOT EXISTS floor_grants (user_id text NOT NULL, resource text NOT NULL, role text NOT NULL, PRIMARY KEY (user_id, resource))',
  'CREATE TABLE IF NOT EXISTS floor_users (id text PRIMARY KEY, email text UNIQUE NOT NULL, password_hash text NOT NULL)',
  'CREATE TABLE IF NOT EXISTS floor_sessions (id uuid PRIMARY KEY, user_id text NOT NULL, expires_at timestamptz NOT NULL)',
  'CREATE TABLE IF NOT EXISTS floor_simulations (id uuid PRIMARY KEY, project_id uuid NOT NULL, owner_id text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL)',
  "INSERT INTO floor_users (id, email, password_hash) VALUES ('bench-user', 'bench@example.com', 'x') ON CONFLICT DO NOTHING",
]) {
  await sql.query(statement);
}

const owner = 'bench-user';
const app = Fastify({ http2: true, logger: false });

app.post('/projects', async (request, reply) => {
  const body = request.body as { name: string; template_id?: string };
  const id = randomUUID();
  const now = new Date().toISOString();
  await sql.transaction([
    [
      'INSERT INTO floor_projects (id, owner_id, name, template_id, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, owner, body.name, body.template_id ?? null, JSON.stringify({ services: [] }), now],
    ],
    ['INSERT INTO floor_outbox (channel, payload) VALUES ($1, $2)', ['project:events:created', JSON.stringify({ id, owner })]],
  ]);
  await sql.query('INSERT INTO floor_grants (user_id, resource, role) VALUES ($1, $2, $3)', [owner, `project:${id}`, 'owner']);
  return reply.code(201).send({ project_id: id, name: body.name, created_at: now });
});

app.get('/projects/:id', async (request, reply) => {
  const { id } = request.params as { id: string };
  const [project] = await sql.query('SELECT * FROM floor_projects WHERE id = $1', [id]);
  return project ? reply.send(project) : reply.code(404).send({ title: 'not found' });
});

app.get('/projects', async (_request, reply) => {
  const projects = await sql.query('SELECT * FROM floor_projects WHERE owner_id = $1 ORDER BY created_at DESC LIMIT 20', [owner]);
  return reply.send({ projects });
});

app.post('/auth/login', async (request, reply) => {
  const { email } = request.body as { email: string };
  const [user] = await sql.query('SELECT id, password_hash FROM floor_users WHERE email = $1', [email]);
  if (!user) return reply.code(401).send({ title: 'unauthorised' });
  const session = randomUUID();
  await sql.query('INSERT INTO floor_sessions (id, user_id, expires_at) VALUES ($1, $2, $3)', [
    session,
    user.id,
    new Date(Date.now() + 3_600_000).toISOString(),
  ]);
  return reply.send({ access_token: session, session_id: session });
});

app.post('/simulations', async (request, reply) => {
  const { project_id: projectId } = request.body as { project_id: string };
  const [project] = await sql.query('SELECT id FROM floor_projects WHERE id = $1', [projectId]);
  if (!project) return reply.code(404).send({ title: 'not found' });
  const id = randomUUID();
  await sql.query('INSERT INTO floor_simulations (id, project_id, owner_id, status, created_at) VALUES ($1, $2, $3, $4, $5)', [
    id,
    projectId,
    owner,
    'running',
    new Date().toISOString(),
  ]);
  return reply.code(201).send({ simulation_id: id });
});

app.get('/simulations/:id', async (request, reply) => {
  const { id } = request.params as { id: string };
  const [simulation] = await sql.query('SELECT * FROM floor_simulations WHERE id = $1', [id]);
  return simulation ? reply.send(simulation) : reply.code(404).send({ title: 'not found' });
});

await app.listen({ port: Number(portText), host: '127.0.0.1' });
console.log(`ready ${portText}`);
