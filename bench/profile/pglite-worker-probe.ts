/**
 * Would PGlite in a worker thread pay (docs/adr/0071)? One PGlite on the event loop against one in a
 * `node:worker_threads` worker answering over a MessagePort (structured clone both ways), on the
 * statements of `POST /projects` and `GET /projects/:id`:
 * - latency of one statement at a time (what one caller sees),
 * - the event loop's busy time per statement (what the services lose to SQL),
 * - requests/s when 16 concurrent "requests" each burn `--work` ms of JavaScript on the event loop
 *   (the services' gRPC/HTTP work; the mesh spends more than 5 ms per POST /projects) and run one INSERT.
 *
 *   npx tsx bench/profile/pglite-worker-probe.ts [--statements 2000] [--work 5]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadavg } from 'node:os';
import { PGlite } from '@electric-sql/pglite';

const { values } = parseArgs({ options: { statements: { type: 'string' }, work: { type: 'string' } } });
const STATEMENTS = Number(values.statements ?? 2000);
const WORK_MS = Number(values.work ?? 5);

interface Engine {
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }>;
  close(): Promise<void>;
}

const inThread = async (): Promise<Engine> => {
  const pglite = await PGlite.create('memory://');
  return { query: (sql, params) => pglite.query(sql, params), close: () => pglite.close() };
};

/** The worker: PGlite, answering `{ id, sql, params }` with `{ id, rows }` or `{ id, error }`. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
(async () => {
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create('memory://');
  parentPort.on('message', async ({ id, sql, params }) => {
    try {
      const result = await pglite.query(sql, params);
      parentPort.postMessage({ id, rows: result.rows });
    } catch (error) {
      parentPort.postMessage({ id, error: String(error) });
    }
  });
  parentPort.postMessage({ ready: true });
})();
`;

const inWorker = async (): Promise<Engine> => {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  let next = 0;
  await new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
  });
  worker.on('message', (message: { id: number; rows?: unknown[]; error?: string }) => {
    const waiter = pending.get(message.id)!;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error));
    else waiter.resolve(message.rows!);
  });
  return {
    query: (sql, params) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: (rows) => resolve({ rows }), reject });
        worker.postMessage({ id, sql, params });
      }),
    close: async () => {
      await worker.terminate();
    },
  };
};

const SCHEMA = `CREATE TABLE projects (id text PRIMARY KEY, owner_id text NOT NULL, name text NOT NULL, description text NOT NULL,
  configuration jsonb NOT NULL, is_public boolean NOT NULL, status text NOT NULL, created_at bigint NOT NULL,
  updated_at bigint NOT NULL, version integer NOT NULL)`;
const INSERT = `INSERT INTO projects (id, owner_id, name, description, configuration, is_public, status, created_at, updated_at, version)
  VALUES ($1, 'owner-1', 'A project', 'Created by the probe', '{"solver":"euler","steps":100}', false, 'active', $2, $2, 1)`;
const SELECT = 'SELECT * FROM projects WHERE id = $1';

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* the services' JavaScript */
  }
};

const measure = async (name: string, engine: Engine) => {
  await engine.query(SCHEMA, []);
  const sequential = async (label: string, statement: (index: number) => [string, unknown[]]) => {
    const elu = performance.eventLoopUtilization();
    const began = performance.now();
    for (let index = 0; index < STATEMENTS; index += 1) await engine.query(...statement(index));
    const elapsed = performance.now() - began;
    const busy = performance.eventLoopUtilization(elu);
    console.log(
      `${name.padEnd(10)} ${label.padEnd(7)} latency ${(elapsed / STATEMENTS).toFixed(3)} ms, event loop busy ${(
        busy.active / STATEMENTS
      ).toFixed(3)} ms per statement`,
    );
  };
  await sequential('INSERT', (index) => [INSERT, [`p-${index}`, Date.now()]]);
  await sequential('SELECT', (index) => [SELECT, [`p-${index}`]]);
  let done = 0;
  const began = performance.now();
  const until = began + 3_000;
  await Promise.all(
    Array.from({ length: 16 }, async (_, caller) => {
      for (let index = 0; performance.now() < until; index += 1) {
        busyFor(WORK_MS);
        await engine.query(INSERT, [`c-${caller}-${index}`, Date.now()]);
        done += 1;
      }
    }),
  );
  console.log(
    `${name.padEnd(10)} 16 callers, ${WORK_MS} ms of JS + one INSERT each: ${((done * 1000) / (performance.now() - began)).toFixed(1)} req/s`,
  );
  await engine.close();
};

console.log(
  `load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}, ${STATEMENTS} statements`,
);
await measure('in-thread', await inThread());
await measure('worker', await inWorker());
await measure('in-thread', await inThread());
await measure('worker', await inWorker());
console.log(
  `load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`,
);
