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
 * How long after `at` the load was disturbed by what happened at `at`: until the end of the last
 * request that failed, or took longer than `slowMs`, in the episode that begins at `at`. A
 * disturbed request belongs to the episode when it was in flight at `at`, or started no later
 * than `quietMs` after the end of the episode so far; a slow request after a quiet gap (a busy
 * machine's pause, unrelated to the fault) ends nothing and is not counted. 0 if none was disturbed.
 */
export const disturbedForMs = (samples: readonly LoadSample[], at: number, slowMs: number, quietMs = 500): number => {
  const disturbed = samples
    .filter((s) => s.endedAt >= at && (s.status !== 200 || s.endedAt - s.startedAt > slowMs))
    .sort((a, b) => a.startedAt - b.startedAt);
  let episodeEnd = at;
  for (const sample of disturbed) {
    if (sample.startedAt > episodeEnd + quietMs) break;
    episodeEnd = Math.max(episodeEnd, sample.endedAt);
  }
  return episodeEnd - at;
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};
