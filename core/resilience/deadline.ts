/**
 * Default deadlines per target service. The specification's latency targets (docs/specification.md#numbers: auth 5 ms, project
 * 10 ms, simulation 15 ms) are what a call should take, not how long to wait before giving up:
 * on a loaded machine a 5 ms deadline fails healthy calls, so the defaults leave ample room.
 */
export const DEFAULT_CALL_TIMEOUTS_MS: Readonly<Record<string, number>> = {
  auth: 2_000,
  project: 3_000,
  simulation: 5_000,
  'api-gateway': 3_000,
};

export const FALLBACK_CALL_TIMEOUT_MS = 5_000;

export const defaultCallTimeoutMs = (service: string): number => DEFAULT_CALL_TIMEOUTS_MS[service] ?? FALLBACK_CALL_TIMEOUT_MS;

/**
 * The deadline (epoch ms) of a call made at `now`: its own timeout, but never past the deadline
 * of the request being served, so a hop never outlives the request that made it.
 */
export const callDeadline = (now: number, ownTimeoutMs: number, parentDeadline?: number): number =>
  Math.min(now + ownTimeoutMs, parentDeadline ?? Infinity);

export const remainingMs = (deadline: number, now: number): number => Math.max(0, deadline - now);
