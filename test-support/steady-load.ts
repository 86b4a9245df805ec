/** One request of a steady load: when it started and ended (epoch ms) and how it was answered (0: no answer). */
export interface LoadSample {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number;
}

export interface SteadyLoad {
  readonly samples: readonly LoadSample[];
  /** Stops sending and resolves once every request sent has been answered. */
  stop(): Promise<readonly LoadSample[]>;
}

/**
 * Sends `send()` at a steady rate without waiting for answers (an open-loop load, as clients
 * produce: a stalled server makes requests pile up instead of slowing the load down).
 */
export const steadyLoad = (perSecond: number, send: () => Promise<number>): SteadyLoad => {
  const samples: LoadSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const fire = () => {
    const startedAt = Date.now();
    const done: Promise<void> = send()
      .catch(() => 0)
      .then((status) => {
        samples.push({ startedAt, endedAt: Date.now(), status });
        inFlight.delete(done);
      });
    inFlight.add(done);
  };
  const timer = setInterval(fire, Math.max(1, Math.round(1_000 / perSecond)));
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      return samples;
    },
  };
};

/**
 * How long after `at` the load was disturbed: until the end of the last request that failed, or
 * that was in flight at `at` or started later and took longer than `slowMs`. 0 if none was.
 */
export const disturbedForMs = (samples: readonly LoadSample[], at: number, slowMs: number): number => {
  const disturbed = samples.filter((s) => s.endedAt >= at && (s.status !== 200 || s.endedAt - s.startedAt > slowMs));
  return disturbed.length === 0 ? 0 : Math.max(...disturbed.map((s) => s.endedAt)) - at;
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};
