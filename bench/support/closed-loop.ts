/** One call of a closed-loop load: when it ended, how long it took, whether it succeeded. */
export interface CallSample {
  readonly endedAt: number;
  readonly latencyMs: number;
  readonly ok: boolean;
}

export interface ClosedLoop {
  readonly samples: readonly CallSample[];
  stop(): Promise<readonly CallSample[]>;
}

/**
 * `concurrency` callers, each making its next call when the last one ended, until `stop()`.
 * Callers yield to the event loop between calls, so failing fast cannot starve timers and sockets.
 */
export const closedLoop = (concurrency: number, call: () => Promise<boolean>): ClosedLoop => {
  let running = true;
  const samples: CallSample[] = [];
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      const startedAt = performance.now();
      const ok = await call().catch(() => false);
      const now = performance.now();
      samples.push({ endedAt: performance.timeOrigin + now, latencyMs: now - startedAt, ok });
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return samples;
    },
  };
};

/** Runs `count` calls with `concurrency` callers; resolves with the elapsed nanoseconds. */
export const timedBatch = async (count: number, concurrency: number, call: () => Promise<unknown>): Promise<number> => {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await call();
      }
    }),
  );
  return Number(process.hrtime.bigint() - started);
};
