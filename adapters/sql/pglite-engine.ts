import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { Int8Oid, parseInt8 } from './int8.js';

/** One statement's result, as the driver and the data directory move need it. */
export interface EngineResult<R> {
  readonly rows: R[];
  readonly affectedRows?: number;
  /** What `COPY ... TO '/dev/blob'` wrote. */
  readonly blob?: Blob;
}

/** A PGlite session: on this thread, or in a worker thread behind a MessagePort. */
export interface PGliteEngine {
  /** One statement (extended protocol, `$n` parameters); `int8` read as a JS number; `blob` for `COPY ... FROM '/dev/blob'`. */
  query<R>(sql: string, params?: readonly unknown[], options?: { blob?: Blob }): Promise<EngineResult<R>>;
  /** Statements without parameters (simple protocol). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const parsers = { [Int8Oid]: parseInt8 };

/** PGlite on the calling thread's event loop. */
export const inThreadEngine = async (location: string): Promise<PGliteEngine> => {
  const pglite = await PGlite.create(location);
  return {
    query: async <R>(sql: string, params: readonly unknown[] = [], options: { blob?: Blob } = {}) => {
      const result = await pglite.query<R>(sql, [...params], { parsers, ...(options.blob ? { blob: options.blob } : {}) });
      return {
        rows: result.rows,
        ...(result.affectedRows === undefined ? {} : { affectedRows: result.affectedRows }),
        ...(result.blob === undefined ? {} : { blob: result.blob }),
      };
    },
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
};

/** A request to the worker (adapters/sql/pglite-worker.ts) and its answer. */
export type WorkerRequest =
  | { readonly id: number; readonly kind: 'query'; readonly sql: string; readonly params: readonly unknown[]; readonly blob?: Blob }
  | { readonly id: number; readonly kind: 'exec'; readonly sql: string }
  | { readonly id: number; readonly kind: 'close' };
export type WorkerAnswer =
  | { readonly id: number; readonly result: EngineResult<unknown> }
  | { readonly id: number; readonly error: { readonly message: string; readonly fields: Record<string, unknown> } }
  | { readonly ready: true }
  | { readonly failed: string };

/**
 * PGlite in a `node:worker_threads` worker: SQL runs off the calling thread's event loop, at the
 * cost of a structured clone of each statement and result. Errors come back with PostgreSQL's
 * fields (`code`, `constraint`, ...), so `isSqlError` reads them as from PGlite itself.
 */
export const workerEngine = async (location: string): Promise<PGliteEngine> => {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './pglite-worker.ts' : './pglite-worker.js', import.meta.url);
  // From the sources (tsx, vitest) the worker registers tsx first, to load TypeScript.
  const worker = fromSources
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, {
        eval: true,
        workerData: { location },
      })
    : new Worker(entry, { workerData: { location } });
  const pending = new Map<number, { resolve: (result: EngineResult<unknown>) => void; reject: (error: Error) => void }>();
  let next = 0;
  let exited: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    const onMessage = (answer: WorkerAnswer) => {
      if ('ready' in answer) resolve();
      else if ('failed' in answer) reject(new Error(answer.failed));
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
  });
  worker.on('message', (answer: WorkerAnswer) => {
    if (!('id' in answer)) return;
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if ('error' in answer) waiter?.reject(Object.assign(new Error(answer.error.message), answer.error.fields));
    else waiter?.resolve(answer.result);
  });
  worker.on('exit', () => {
    exited = new Error('the PGlite worker exited');
    for (const waiter of pending.values()) waiter.reject(exited);
    pending.clear();
  });
  type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;
  const send = (request: Request): Promise<EngineResult<unknown>> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  return {
    query: async <R>(sql: string, params: readonly unknown[] = [], options: { blob?: Blob } = {}) =>
      (await send({ kind: 'query', sql, params: [...params], ...(options.blob ? { blob: options.blob } : {}) })) as EngineResult<R>,
    exec: async (sql) => {
      await send({ kind: 'exec', sql });
    },
    close: async () => {
      if (exited) return;
      await send({ kind: 'close' });
      await worker.terminate();
    },
  };
};
