import type { FieldViolation } from '../shared/errors.js';
import { CONFIGURATION_KEYS, type ConfigurationMap } from './configuration.js';

export const MIN_DURATION_SECONDS = 1;
export const MAX_DURATION_SECONDS = 3_600;
/** Used when a request gives no duration. */
export const DEFAULT_DURATION_SECONDS = 60;
export const MAX_COMPONENTS = 200;
export const MAX_COMPONENT_LENGTH = 100;
/** Rough speed of the model when not paced in real time (steps per second of wall time). */
const BATCH_STEPS_PER_SECOND = 20_000;

export interface RunShape {
  readonly durationSeconds: number;
  readonly components: readonly string[];
}

/** Duration and components of a start or validate request, with their violations. */
export const checkRunShape = (
  durationSeconds: number | undefined,
  components: readonly string[] | undefined,
): { shape: RunShape; violations: FieldViolation[] } => {
  const violations: FieldViolation[] = [];
  const duration = durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (!Number.isInteger(duration) || duration < MIN_DURATION_SECONDS || duration > MAX_DURATION_SECONDS) {
    violations.push({ field: 'duration_seconds', message: `must be an integer from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}` });
  }
  const list = (components ?? []).map((c) => c.trim());
  if (list.length > MAX_COMPONENTS) violations.push({ field: 'components', message: `must list at most ${MAX_COMPONENTS} components` });
  list.forEach((component, i) => {
    if (component.length === 0 || component.length > MAX_COMPONENT_LENGTH) {
      violations.push({ field: `components[${i}]`, message: `must be 1 to ${MAX_COMPONENT_LENGTH} characters` });
    }
  });
  return { shape: { durationSeconds: duration, components: list }, violations };
};

const known: ReadonlySet<string> = new Set(CONFIGURATION_KEYS);

/**
 * The project's configuration overridden by the request's. Keys of the project's map that are not
 * simulation keys are left out (a project may carry other settings) and reported; the request's
 * keys are all kept, so that an unknown one is a violation.
 */
export const mergeConfiguration = (
  project: ConfigurationMap,
  overrides: ConfigurationMap,
): { merged: Record<string, string>; ignored: string[] } => {
  const merged: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(project)) {
    if (known.has(key)) merged[key] = value;
    else ignored.push(key);
  }
  return { merged: { ...merged, ...overrides }, ignored };
};

/** Seconds a run takes: its duration in real time, else the model's rough batch speed. */
export const estimateDurationSeconds = (durationSeconds: number, realTime: boolean, updatesPerSecond: number): number =>
  realTime ? durationSeconds : Math.max(1, Math.ceil((durationSeconds * updatesPerSecond) / BATCH_STEPS_PER_SECOND));
