import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Job } from '../core/messaging/work-queue.js';
import { InMemorySimulationRepository } from '../adapters/memory/in-memory-simulation-repository.js';
import { InMemoryStreamStore } from '../adapters/memory/in-memory-stream-store.js';
import type { Logger } from '../adapters/observability/logger.js';
import { StreamJobQueue } from '../adapters/streams/stream-job-queue.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { waitFor } from '../contract-tests/messaging/wait.js';

/**
 * What the simulation service's background handlers run on in tests: the in-memory repository and
 * stream store, the real job queue over them, and a logger whose lines the test can read.
 */
export interface BackgroundFixture {
  readonly repository: InMemorySimulationRepository;
  readonly streams: InMemoryStreamStore;
  readonly jobs: StreamJobQueue;
  readonly clock: SystemClock;
  readonly logger: Logger;
  /** Log lines written so far, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Records every job on `queue` (enqueued before or after), through a worker pool of its own. */
  observe(queue: string): Promise<Job[]>;
  /** Waits until a log line with this message was written. */
  logged(message: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export const createBackgroundFixture = (): BackgroundFixture => {
  const clock = new SystemClock();
  const streams = new InMemoryStreamStore(clock);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const jobs = new StreamJobQueue(streams, clock, logger, { blockMs: 20 });
  let observers = 0;
  return {
    repository: new InMemorySimulationRepository(),
    streams,
    jobs,
    clock,
    logger,
    logs,
    observe: async (queue) => {
      const seen: Job[] = [];
      observers += 1;
      await jobs.work(queue, `test-observer-${observers}`, async (job) => {
        seen.push(job);
      });
      return seen;
    },
    logged: async (message) => {
      await waitFor(() => logs.some((line) => line.msg === message), 5_000, `the log line "${message}"`);
      return logs.find((line) => line.msg === message)!;
    },
    close: async () => {
      await jobs.close();
      await streams.close();
    },
  };
};
