export * from './result.js';
export * from './errors.js';
export type { Clock } from './clock.js';
export type { IdGenerator } from './ids.js';
