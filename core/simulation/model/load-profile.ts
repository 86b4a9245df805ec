import type { LoadProfile } from '../configuration.js';

/** The spike holds the peak over the middle fifth of the run. */
const SPIKE_START = 0.4;
const SPIKE_END = 0.6;

/**
 * Offered load (requests/s) at `step` (1-based) of a run of `totalSteps`:
 * constant stays at `base`; ramp climbs linearly from `base` to `peak`; spike is `base` with `peak`
 * over the middle fifth; diurnal is one sine cycle from `base` up to `peak` (at mid-run) and back.
 */
export const offeredLoad = (profile: LoadProfile, base: number, peak: number, step: number, totalSteps: number): number => {
  const progress = totalSteps <= 1 ? 0 : (step - 1) / (totalSteps - 1);
  switch (profile) {
    case 'constant':
      return base;
    case 'ramp':
      return base + (peak - base) * progress;
    case 'spike':
      return progress >= SPIKE_START && progress <= SPIKE_END ? peak : base;
    case 'diurnal':
      return base + ((peak - base) * (1 - Math.cos(2 * Math.PI * progress))) / 2;
  }
};

/**
 * Share of the offered load each service receives: Zipf-like (weight 1/sqrt(rank)), normalised.
 * The first services are the busiest, as in most real systems, and the split never changes.
 */
export const serviceWeights = (services: number): number[] => {
  const raw = Array.from({ length: services }, (_, i) => 1 / Math.sqrt(i + 1));
  const total = raw.reduce((sum, w) => sum + w, 0);
  return raw.map((w) => w / total);
};
