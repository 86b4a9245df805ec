/** Latency never reported above this multiple of the base service time (requests time out). */
export const LATENCY_CAP_FACTOR = 50;

/**
 * M/M/1 response time: `base / (1 - ρ)`. It reaches the cap at ρ = 1 - 1/50 = 0.98, and stays
 * there for any utilisation above.
 */
export const queueingLatency = (baseLatencyMs: number, utilisation: number): number => {
  const rho = Math.max(0, utilisation);
  if (rho >= 1 - 1 / LATENCY_CAP_FACTOR) return baseLatencyMs * LATENCY_CAP_FACTOR;
  return baseLatencyMs / (1 - rho);
};
