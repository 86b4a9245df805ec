export type * from './events.js';
export type * from './streams.js';
export type * from './work-queue.js';
export * from './channels.js';
export * from './outbox.js';
