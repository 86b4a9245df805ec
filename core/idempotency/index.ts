export * from './idempotency-key.js';
export * from './ports.js';
export * from './errors.js';
export * from './idempotent-writes.js';
