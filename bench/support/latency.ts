import { percentile } from './bench-types.js';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Nearest-rank p50/p95/p99 of `samples` (ms). */
export const summarise = (samples: readonly number[]): LatencySummary => ({
  count: samples.length,
  p50: percentile(samples, 50),
  p95: percentile(samples, 95),
  p99: percentile(samples, 99),
});

/**
 * An open-loop load: `fire()` at `perSecond` for `durationMs`, in ticks of `tickMs` (each sends
 * the calls due by then), without waiting for answers; resolves once every call has settled.
 */
export const openLoop = async (perSecond: number, durationMs: number, fire: () => Promise<unknown>, tickMs = 5): Promise<void> => {
  const pending: Promise<unknown>[] = [];
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((elapsed * perSecond) / 1000), Math.floor((durationMs * perSecond) / 1000));
      for (; sent < due; sent += 1) pending.push(fire().catch(() => undefined));
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  await Promise.all(pending);
};
