/**
 * The worker thread of `workerEngine` (adapters/sql/pglite-engine.ts): one PGlite, answering each
 * request on the MessagePort in the order they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { inThreadEngine, type PGliteEngine, type WorkerAnswer, type WorkerRequest } from './pglite-engine.js';

const port = parentPort!;
const answer = (message: WorkerAnswer) => port.postMessage(message);

let engine: PGliteEngine;
try {
  engine = await inThreadEngine((workerData as { location: string }).location);
} catch (error) {
  answer({ failed: error instanceof Error ? error.message : String(error) });
  throw error;
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    try {
      switch (request.kind) {
        case 'query': {
          const options = request.blob ? { blob: request.blob } : {};
          answer({ id: request.id, result: await engine.query(request.sql, request.params, options) });
          break;
        }
        case 'exec':
          await engine.exec(request.sql);
          answer({ id: request.id, result: { rows: [] } });
          break;
        case 'close':
          await engine.close();
          answer({ id: request.id, result: { rows: [] } });
          break;
      }
    } catch (error) {
      const fields: Record<string, unknown> = {};
      if (typeof error === 'object' && error !== null) {
        for (const [key, value] of Object.entries(error)) if (typeof value !== 'function' && typeof value !== 'object') fields[key] = value;
      }
      answer({ id: request.id, error: { message: error instanceof Error ? error.message : String(error), fields } });
    }
  });
});
answer({ ready: true });
